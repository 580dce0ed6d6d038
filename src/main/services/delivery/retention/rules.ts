import type { PruneImage } from '../../../../shared/lifecycle';
import type { Retention } from '../../../../shared/project';
import type { Usage } from './in-use';
import type { OwnImage } from './inventory';

const DAY = 86_400_000;

export interface Verdicts {
  images: PruneImage[];
}

function days(ms: number): string {
  const d = ms / DAY;
  return d < 1 ? `${Math.round(ms / 3_600_000)} h` : `${Math.floor(d)} day${Math.floor(d) === 1 ? '' : 's'}`;
}

function date(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** What the local versions know of a bake: its version number and the environment it was for. */
export interface KnownBake {
  version: number;
  environment?: string | undefined;
}

/**
 * Decides, for one region's images (newest first), which stay and why. Rules apply per environment: an
 * image is ranked only among the region's images of the same environment (its `quadraxis:environment` tag,
 * else what the version of its bake recorded, for images baked before the tag existed; images of the
 * project's own values form a group of their own), so ten dev bakes never push a prod image out of "the
 * newest N". An image stays when any rule keeps it: it is among the newest `keep` available images of its
 * group, it is younger than `maxAgeDays`, it is in use, it is still being made — and each group's newest
 * available image always stays, so age alone can never empty an environment in a region. The rest are
 * retired: deregistered, or first disabled when `disableForDays` asks for a grace period (and deregistered
 * once it is over). Failed images are retired whatever the rules. Pure: the same inputs give the same plan,
 * which is what lets the app and the CLI show exactly what a prune would do.
 */
export function decide(
  images: readonly OwnImage[],
  rules: Retention,
  usage: Usage,
  now: number,
  versions: ReadonlyMap<string, KnownBake>,
): PruneImage[] {
  const environmentOf = (image: OwnImage) => image.environment ?? versions.get(image.bakeId)?.environment;
  // A region where no image names an environment reads as before: the group is the whole region.
  const grouped = images.some((image) => environmentOf(image) !== undefined);
  const ranks = new Map<string, number>();
  return images.map((image): PruneImage => {
    const environment = environmentOf(image);
    const group = environment ?? '';
    const label = environment ? ` of environment ${environment}` : grouped ? ' without an environment' : '';
    const uses = usage.get(image.imageId) ?? [];
    const reasons: string[] = [];
    let action: PruneImage['action'] = 'keep';
    const inUse = uses.map((u) => `in use: ${describeUse(u)}`);
    if (image.state === 'available') {
      const position = ranks.get(group) ?? 0;
      ranks.set(group, position + 1);
      const age = now - image.createdAt;
      if (rules.keep !== undefined && position < rules.keep)
        reasons.push(`one of the newest ${rules.keep}${label} in ${image.region} (#${position + 1})`);
      if (rules.maxAgeDays !== undefined && age < rules.maxAgeDays * DAY)
        reasons.push(`younger than ${rules.maxAgeDays} days (${days(age)} old)`);
      if (position === 0 && reasons.length === 0)
        reasons.push(`the newest image${label} in ${image.region} is always kept`);
      reasons.push(...inUse);
      if (reasons.length === 0) {
        action = rules.disableForDays !== undefined ? 'disable' : 'deregister';
        reasons.push(retiredBecause(rules, position, age, label));
      }
    } else if (image.state === 'disabled') {
      reasons.push(...inUse);
      if (reasons.length === 0) {
        const since = image.disabledAt;
        const grace = rules.disableForDays;
        if (grace !== undefined && since !== undefined && now - since < grace * DAY) {
          reasons.push(`disabled on ${date(since)}; deregistered after ${date(since + grace * DAY)}`);
        } else {
          action = 'deregister';
          reasons.push(
            since !== undefined
              ? `disabled on ${date(since)}${grace !== undefined ? `, its ${grace}-day grace period is over` : ''}`
              : 'disabled',
          );
        }
      }
    } else if (image.state === 'failed' || image.state === 'error' || image.state === 'invalid') {
      reasons.push(...inUse);
      if (reasons.length === 0) {
        action = 'deregister';
        reasons.push(`${image.state}: it can never be launched`);
      }
    } else {
      reasons.push(`${image.state}: still being made`, ...inUse);
    }
    const version = versions.get(image.bakeId)?.version;
    return {
      region: image.region,
      imageId: image.imageId,
      name: image.name,
      ...(version !== undefined ? { version } : {}),
      bakeId: image.bakeId,
      ...(environment !== undefined ? { environment } : {}),
      createdAt: image.createdAt,
      state: image.state,
      snapshotIds: image.snapshotIds,
      deprecated: image.deprecated,
      ...(image.disabledAt !== undefined ? { disabledAt: image.disabledAt } : {}),
      action,
      reasons,
      usage: uses,
    };
  });
}

function retiredBecause(rules: Retention, position: number, age: number, label: string): string {
  const parts = [
    rules.keep !== undefined ? `not among the newest ${rules.keep}${label} (#${position + 1})` : '',
    rules.maxAgeDays !== undefined ? `older than ${rules.maxAgeDays} days (${days(age)})` : '',
  ].filter(Boolean);
  return `${parts.join(' and ')}; not in use`;
}

export function describeUse(use: { kind: string; id: string; detail: string }): string {
  switch (use.kind) {
    case 'instance':
      return `instance ${use.id} (${use.detail})`;
    case 'launch-template':
      return `launch template ${use.id} (${use.detail})`;
    case 'auto-scaling-group':
      return `Auto Scaling group ${use.id} (${use.detail})`;
    case 'bake':
      return `bake ${use.id} (${use.detail})`;
    default:
      return `parameter ${use.id} (${use.detail})`;
  }
}
