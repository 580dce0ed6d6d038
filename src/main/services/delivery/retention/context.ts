import { isFinalStatus, type BakeRecord } from '../../../../shared/bake';
import type { RegionServices } from '../../bake/region-services';
import type { Connect, Connection } from '../../bake/types';
import type { Clock } from '../../clock';
import type { Logger } from '../../logger';
import type { Store } from '../../store';
import { RegionReach } from '../reach';
import { add, instancesUsing, parametersUsing, type Usage, type UsageFinder } from './in-use';
import { autoScalingGroupsUsing, launchTemplatesUsing } from './in-use-templates';

export interface PrunerDeps {
  dataDir: string;
  store: { versions: Pick<Store['versions'], 'list'>; bakes: Pick<Store['bakes'], 'get'> };
  connect: Connect;
  /** The engine's shared limiter and poller per account and region. */
  services(connection: Connection): RegionServices;
  clock: Clock;
  logger: Logger;
  /** More ways an image can be in use, beside instances, launch templates, groups and the parameter. */
  finders?: readonly UsageFinder[];
}

/** What planning and retiring share: how to reach a region as the prune's profile, and what "in use" asks. */
export interface PruneContext {
  deps: PrunerDeps;
  reachFor(request: { profile: string; endpoint?: string | undefined }, count: () => void): RegionReach;
  /** `parameters`: every name the project publishes (one per environment). */
  finders(parameters: readonly string[]): UsageFinder[];
  runningBakes(images: readonly { imageId: string; bakeId: string }[], usage: Usage): Promise<void>;
}

export function pruneContext(deps: PrunerDeps): PruneContext {
  function reachFor(
    request: { profile: string; endpoint?: string | undefined },
    count: () => void,
  ): RegionReach {
    return new RegionReach({
      connect: (region) =>
        deps.connect({
          profile: request.profile,
          region,
          ...(request.endpoint ? { endpoint: request.endpoint } : {}),
        }),
      services: (connection) => deps.services(connection),
      clock: deps.clock,
      onCall: count,
    });
  }

  function finders(parameters: readonly string[]): UsageFinder[] {
    return [
      instancesUsing,
      launchTemplatesUsing,
      autoScalingGroupsUsing,
      parametersUsing(parameters),
      ...(deps.finders ?? []),
    ];
  }

  /**
   * An image whose bake has not finished may be the source of a copy under way, or about to be published:
   * it counts as in use until its bake ends (in any process sharing this data directory).
   */
  async function runningBakes(
    images: readonly { imageId: string; bakeId: string }[],
    usage: Usage,
  ): Promise<void> {
    const records = new Map<string, Promise<BakeRecord | undefined>>();
    for (const image of images) {
      let record = records.get(image.bakeId);
      if (!record) {
        record = deps.store.bakes.get(image.bakeId).catch(() => undefined);
        records.set(image.bakeId, record);
      }
      const found = await record;
      if (found && !isFinalStatus(found.status))
        add(usage, image.imageId, { kind: 'bake', id: image.bakeId, detail: found.status });
    }
  }

  return { deps, reachFor, finders, runningBakes };
}
