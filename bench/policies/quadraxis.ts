import { join } from 'node:path';
import { ProjectSchema } from '../../src/shared/project';
import { createRuntime, type Runtime } from '../../src/main/runtime/runtime';
import { createLogger } from '../../src/main/services/logger';
import { isolatedAwsEnv } from '../lib/world';
import { BENCH_INSTANCE_TYPE, benchScript } from './builder-kit';
import { scriptPathMs, type Policy, type PolicyEnv, type PolicyRunner } from './types';

/**
 * Quadraxis's real engine, wired exactly as the app, the CLI and the webhook wire it (createRuntime), on
 * the benchmark's virtual clock: the Sandbox profile pointed at the benchmark's Sandbox, production
 * defaults everywhere (shared poller every 2 s, adaptive retries, wrapper completion mode), plus the one
 * client extension that tells the virtual clock when an HTTP attempt is in flight (and, in the overhead
 * part, the in-process transport; see World.clientConfig).
 */
export const quadraxis: Policy = {
  id: 'quadraxis',
  label: 'Quadraxis',
  group: 'quadraxis',
  summary:
    'createRuntime + engine, wrapper completion mode, capped per-resource look schedules batched into one Describe per 2 s tick, console unwatched',
  prematureReason:
    'never: the wrapper reports the exit code on the console and powers the builder off; only exit 0 and a stop are imaged',
  script: 'succeed',
  awsPathMs: (t, timings) => scriptPathMs(t, timings, true),
  open: (env) => openQuadraxis(env),
};

export interface QuadraxisOptions {
  /** Bakes allowed at once in the region (the engine's default is 4). */
  perRegion?: number;
  /** Receives the engine's warnings and errors (the benchmark counts them). */
  onProblem?: (line: string) => void;
}

export function openQuadraxis(env: PolicyEnv, options: QuadraxisOptions = {}): Promise<PolicyRunner> {
  const { world, region } = env;
  const logger = createLogger((line) => options.onProblem?.(line), { level: 'warn' });
  const runtime: Runtime = createRuntime({
    dataDir: join(world.dir, 'quadraxis-data'),
    clock: world.clock,
    logger,
    actor: 'quadraxis benchmark',
    env: isolatedAwsEnv(world),
    sandboxUrl: world.sandbox.url,
    clientConfig: world.clientConfig,
    ...(options.perRegion ? { perRegionLimit: options.perRegion } : {}),
  });
  return Promise.resolve({
    async bake({ index }) {
      const project = ProjectSchema.parse({
        name: `bench-${index}`,
        baseImage: {
          kind: 'ssm',
          parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
        },
        instanceType: BENCH_INSTANCE_TYPE,
        initScript: benchScript(index),
      });
      const started = await runtime.engine.start({ project, profile: 'sandbox', region, trigger: 'cli' });
      const final = await runtime.engine.waitForFinal(started.id);
      const stepsMs: Record<string, number> = {};
      for (const s of final.steps) {
        if (s.startedAt !== undefined && s.endedAt !== undefined) stepsMs[s.step] = s.endedAt - s.startedAt;
      }
      // The image is seen available when the wait-image step ends; terminate and record follow.
      const seenAt = final.steps.find((s) => s.step === 'wait-image')?.endedAt;
      return {
        ok: final.status === 'succeeded',
        ...(final.imageId ? { imageId: final.imageId } : {}),
        ...(final.message ? { message: final.message } : {}),
        ...(seenAt !== undefined ? { seenAt } : {}),
        stepsMs,
      };
    },
    close: () => runtime.close(),
  });
}
