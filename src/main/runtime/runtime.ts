import type { AskMfaCode } from '../services/aws/credentials';
import { getCallerIdentity } from '../services/aws/identity';
import { RegionRegistry } from '../services/bake/region-services';
import { AfterBakeDeploys } from '../services/deploy/after-bake';
import { createDeployService } from '../services/deploy/service';
import type { DeployService } from '../services/deploy/types';
import { APP_VERSION } from '../services/app-version';
import { createBakeEngine, type BakeEngine } from '../services/bake';
import type { Clock } from '../services/clock';
import type { Logger } from '../services/logger';
import type { SandboxOptions } from '../../sandbox';
import { createStore, type OwnerOptions, type Store } from '../services/store';
import { AwsAccess } from './aws-access';
import { SandboxManager } from './sandbox-manager';

export interface RuntimeOptions {
  dataDir: string;
  clock: Clock;
  logger: Logger;
  /** Who writes to the data directory, named in conflict messages: "Quadraxis app", "quadraxis CLI"… */
  actor: string;
  env?: NodeJS.ProcessEnv;
  askMfaCode?: AskMfaCode;
  /** Point the sandbox profile at a simulator running elsewhere instead of starting one here. */
  sandboxUrl?: string;
  sandbox?: SandboxOptions;
  perRegionLimit?: number;
  pollIntervalMs?: number;
  clientConfig?: Record<string, unknown>;
  /** Tests give two runtimes in one process different process tokens, so each owns its bakes as a process would. */
  owner?: OwnerOptions;
}

/** Everything the app, the CLI and the webhook server run on: one store, one engine, one door to AWS. */
export interface Runtime {
  dataDir: string;
  clock: Clock;
  logger: Logger;
  store: Store;
  /** The bake engine; a bake started with `deploy` deploys its version when it succeeds. */
  engine: BakeEngine;
  deploy: DeployService;
  afterBake: AfterBakeDeploys;
  aws: AwsAccess;
  sandbox: SandboxManager;
  close(): Promise<void>;
}

/**
 * The composition root for the services. The Electron shell, the e2e test bridge, `quadraxis bake` and
 * `quadraxis serve` all build their services here, so they behave the same by construction.
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  const { clock, logger } = options;
  const sandbox = new SandboxManager({
    ...(options.sandboxUrl ? { externalUrl: options.sandboxUrl } : {}),
    ...(options.sandbox ? { sandbox: options.sandbox } : {}),
    logger,
  });
  const aws = new AwsAccess({
    clock,
    sandbox,
    ...(options.env ? { env: options.env } : {}),
    ...(options.askMfaCode ? { askMfaCode: options.askMfaCode } : {}),
    ...(options.clientConfig ? { clientConfig: options.clientConfig } : {}),
  });
  const store = createStore({
    dataDir: options.dataDir,
    clock,
    actor: options.actor,
    logger: { warn: (message) => logger.warn(message) },
    ...(options.owner ? { owner: options.owner } : {}),
  });
  // One poller and one set of request buckets per account and region, for bakes and deploys alike.
  const regions = new RegionRegistry(clock, logger, options.pollIntervalMs ?? 2_000);
  const bakes = createBakeEngine({
    store,
    clock,
    connect: aws.connect,
    logger,
    appVersion: APP_VERSION,
    regions,
    ...(options.perRegionLimit ? { limits: { perRegion: options.perRegionLimit } } : {}),
    ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
    dataDir: options.dataDir,
  });
  const deploy = createDeployService({
    store,
    clock,
    connect: aws.connect,
    regions,
    identity: (connection) => getCallerIdentity(connection.clients),
    logger,
    actor: options.actor,
    ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
  });
  const afterBake = new AfterBakeDeploys(deploy, logger);
  const engine = afterBake.wrap(bakes);
  return {
    dataDir: options.dataDir,
    clock,
    logger,
    store,
    engine,
    deploy,
    afterBake,
    aws,
    sandbox,
    close: async () => {
      // Deploys first: they share the engine's pollers, which its shutdown closes.
      await deploy.shutdown();
      await engine.shutdown();
      aws.close();
      await sandbox.close();
    },
  };
}
