import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { VirtualClock } from '../../src/main/services/clock';
import { inProcessHandler } from './in-process-handler';
import {
  clockTrackingExtension,
  sandboxClientConfig,
  startSandbox,
  type SandboxHandle,
  type SandboxTimings,
} from '../../src/sandbox';

export const BENCH_REGION = 'eu-west-1';

/**
 * Fixed parts of every simulated bake (the per-launch timeline sets the rest): cloud-init takes 10 s from
 * "running" to starting the user data, and the wrapper's poweroff reaches EC2 one second after the script.
 */
export const BENCH_TIMINGS: Partial<SandboxTimings> = { bootMs: 10_000, shutdownDelayMs: 1_000 };

/** A Sandbox on a VirtualClock in auto mode: hours of EC2 in seconds, with every sleep on virtual time. */
export interface World {
  clock: VirtualClock;
  sandbox: SandboxHandle;
  timings: SandboxTimings;
  /** A temp directory for data dirs and AWS config files; removed by close(). */
  dir: string;
  /** What every SDK client in this world adds to its settings: the clock's tracking, maybe the transport. */
  clientConfig: Record<string, unknown>;
  /** An EC2 client as a script using the AWS SDK would make one, its HTTP attempts tracked by the clock. */
  ec2Client(region?: string): EC2Client;
  /** The settings for any other SDK client of this world (endpoint, credentials, clock, transport). */
  clientOptions(region?: string): Record<string, unknown>;
  close(): Promise<void>;
}

export const BENCH_EPOCH = Date.UTC(2026, 0, 5, 9);

/**
 * Several worlds may share one clock (the overhead part runs independent lanes side by side, so the process
 * has work while one lane waits on its store's file I/O); each has its own Sandbox, so their bakes never meet.
 */
export async function createWorld(options: {
  seed: string;
  throttling?: boolean;
  clock?: VirtualClock;
  /** `http` (default): loopback HTTP, as the app talks to the Sandbox; see inProcessHandler for the other. */
  transport?: 'http' | 'in-process';
}): Promise<World> {
  const clock = options.clock ?? new VirtualClock(BENCH_EPOCH);
  const ownClock = !options.clock;
  const sandbox = await startSandbox({
    seed: options.seed,
    clock,
    timings: BENCH_TIMINGS,
    throttling: options.throttling ?? true,
  });
  const dir = await mkdtemp(join(scratchRoot(), 'qx-bench-'));
  // The machine's own ~/.aws must never be read: the runtime gets empty config files.
  await writeFile(join(dir, 'aws-config'), '');
  await writeFile(join(dir, 'aws-credentials'), '');
  const clients: EC2Client[] = [];
  const clientConfig = {
    extensions: [clockTrackingExtension(clock)],
    ...(options.transport === 'in-process' ? { requestHandler: inProcessHandler(sandbox.sim) } : {}),
  };
  if (ownClock) clock.startAuto();
  return {
    clock,
    sandbox,
    timings: sandbox.sim.timings,
    dir,
    clientConfig,
    ec2Client(region = BENCH_REGION) {
      const client = new EC2Client({ ...sandboxClientConfig(sandbox, { region }), ...clientConfig });
      clients.push(client);
      return client;
    },
    clientOptions: (region = BENCH_REGION) => ({
      ...sandboxClientConfig(sandbox, { region }),
      ...clientConfig,
    }),
    async close() {
      for (const client of clients) client.destroy();
      if (ownClock) clock.stopAuto();
      await sandbox.close();
      // Retried: the engine may still be releasing a bake's claim file as the runtime closes.
      await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    },
  };
}

/**
 * Where data directories go: tmpfs when the machine has one, so the disk's fsync latency (the store
 * fsyncs every journal append) does not stretch the run. It costs no virtual time either way.
 */
function scratchRoot(): string {
  if (process.env.QX_BENCH_TMP) return process.env.QX_BENCH_TMP;
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

/** Environment for a runtime that must see no AWS profile but the Sandbox. */
export function isolatedAwsEnv(world: World): NodeJS.ProcessEnv {
  return {
    AWS_CONFIG_FILE: join(world.dir, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(world.dir, 'aws-credentials'),
  };
}
