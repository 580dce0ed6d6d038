import type { BakeRecord } from '../../../shared/bake';
import type { Deployment } from '../../../shared/deploy';
import { deployTargetsFor } from '../../../shared/environments';
import type { Project } from '../../../shared/project';
import { AppError } from '../../../shared/result';
import type { BakeEngine, StartRequest } from '../bake/types';
import type { Logger } from '../logger';
import type { DeployService } from './types';

export interface AfterBakeResult {
  /** The bake's final status: only `succeeded` deploys. */
  bake: BakeRecord['status'];
  started: Deployment[];
  refused: { group: string; region?: string; message: string }[];
}

/**
 * "Bake, then deploy": a bake started with `deploy` deploys its new version to every target the project
 * names once it succeeds — never after a failed or cancelled bake. This lives beside the engine (it wraps
 * `start`) so every door — the webhook, `quadraxis bake --deploy` — passes a flag and nothing more.
 */
export class AfterBakeDeploys {
  private readonly outcomes = new Map<string, Promise<AfterBakeResult>>();

  constructor(
    private readonly deploy: DeployService,
    private readonly logger: Logger,
  ) {}

  /** The engine as everyone uses it: `start` honours `deploy`. */
  wrap(engine: BakeEngine): BakeEngine {
    return {
      ...engine,
      start: async (request: StartRequest) => {
        if (request.deploy && deployTargetsFor(request.project, request.environment).length === 0) {
          const others = request.project.deploy?.targets.length ?? 0;
          throw new AppError(
            'INVALID_INPUT',
            others === 0
              ? `Project ${request.project.name} names no Auto Scaling group to deploy to (deploy.targets in its project file).`
              : `Project ${request.project.name} names no Auto Scaling group for ${request.environment ? `environment ${request.environment}` : 'its own values (no environment)'}: each of its ${others} deploy target${others === 1 ? ' is' : 's are'} for ${describeTargetEnvironments(request.project)}. Set deploy.targets[].environment to say which group runs which environment.`,
          );
        }
        const record = await engine.start(request);
        if (request.deploy) {
          const outcome = engine.waitForFinal(record.id).then((final) => this.afterBake(final, request));
          this.outcomes.set(record.id, outcome);
          void outcome.finally(() => setTimeout(() => this.outcomes.delete(record.id), 60_000).unref());
        }
        return record;
      },
    };
  }

  /** What the deploys after this bake came to (undefined: it was not started with `deploy`). */
  outcome(bakeId: string): Promise<AfterBakeResult> | undefined {
    return this.outcomes.get(bakeId);
  }

  private async afterBake(final: BakeRecord, request: StartRequest): Promise<AfterBakeResult> {
    if (final.status !== 'succeeded' || final.version === undefined) {
      this.logger.info('the bake did not succeed: nothing is deployed', {
        bakeId: final.id,
        status: final.status,
      });
      return { bake: final.status, started: [], refused: [] };
    }
    const project: Project = request.project;
    const result: AfterBakeResult = { bake: final.status, started: [], refused: [] };
    for (const target of deployTargetsFor(project, request.environment)) {
      const region = target.region ?? project.region ?? final.region;
      try {
        result.started.push(
          await this.deploy.start({
            project: project.name,
            projectSnapshot: project,
            version: final.version,
            group: target.group,
            region,
            profile: target.profile ?? request.profile,
            ...(request.endpoint ? { endpoint: request.endpoint } : {}),
            trigger: request.trigger,
          }),
        );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.logger.warn('a deploy after a bake was refused', {
          bakeId: final.id,
          group: target.group,
          message,
        });
        result.refused.push({ group: target.group, region, message });
      }
    }
    return result;
  }
}

function describeTargetEnvironments(project: Project): string {
  const names = [
    ...new Set((project.deploy?.targets ?? []).map((t) => t.environment ?? 'the project’s own values')),
  ];
  return names.join(', ');
}
