import type { Deployment, DeployEvent, DeployPreview, DeployTrigger } from '../../../shared/deploy';
import type { DeployPreferences, Project } from '../../../shared/project';
import type { Connect, Connection } from '../bake/types';
import type { RegionRegistry } from '../bake/region-services';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { Store } from '../store';

/** The parts of the store deploys use (the real store satisfies it). */
export interface DeployStore {
  deployments: Pick<
    Store['deployments'],
    'create' | 'save' | 'get' | 'list' | 'orphans' | 'claim' | 'release'
  >;
  versions: Pick<Store['versions'], 'get' | 'latest' | 'list'>;
  projects: Pick<Store['projects'], 'get'>;
}

export interface DeployDeps {
  store: DeployStore;
  clock: Clock;
  /** The bake engine's door to AWS: clients per profile, region and endpoint. */
  connect: Connect;
  /** The same per-account-and-region pollers and limiters bakes use. */
  regions: RegionRegistry;
  /** Who the credentials are (STS GetCallerIdentity), for the history and the group's account. */
  identity: (connection: Connection) => Promise<{ account: string; arn: string }>;
  logger: Logger;
  /** The program in the history's "who": "Quadraxis app", "quadraxis CLI", "webhook server". */
  actor: string;
  /** The base tick (default 2000 ms): the shortest gap between two looks at a refresh. */
  pollIntervalMs?: number;
}

export interface DeployRequest {
  project: string;
  /** The project as the caller has it (a bake from --file); omitted: read from the store by name. */
  projectSnapshot?: Project;
  /** Omitted: the project's newest version. */
  version?: number;
  group: string;
  /** Omitted: the target's region in the project, else the project's, else the profile's. */
  region?: string;
  /** Omitted: the target's profile in the project, else `defaultProfile`. */
  profile?: string;
  defaultProfile?: string;
  endpoint?: string;
  /** The call's preferences, over the target's and the project's. */
  preferences?: DeployPreferences;
  trigger: DeployTrigger;
}

export interface RollbackRequest {
  trigger: DeployTrigger;
}

export interface DeployService {
  /** What a deploy would do and what would refuse it, without changing anything (the confirmation). */
  preview(request: DeployRequest): Promise<DeployPreview>;
  /**
   * Runs the safety checks and resolves once they pass, with the recorded deployment (progress follows
   * through subscribe). A refusal rejects with words and records nothing: nothing changed.
   */
  start(request: DeployRequest): Promise<Deployment>;
  /**
   * During a deployment: puts the group back (RollbackInstanceRefresh, or Quadraxis refreshing it back onto
   * the previous launch template version when AWS cannot). After a successful one: a new deployment that
   * returns the group to the version it ran before.
   */
  rollback(id: string, request: RollbackRequest): Promise<Deployment>;
  /** Asks AWS to cancel the deployment's instance refresh (CancelInstanceRefresh). */
  cancel(id: string): Promise<void>;
  get(id: string): Promise<Deployment | undefined>;
  list(project: string, limit?: number): Promise<Deployment[]>;
  subscribe(listener: (event: DeployEvent) => void): () => void;
  waitForFinal(id: string): Promise<Deployment>;
  /** Takes over deployments whose process died and watches them to their end. */
  recover(): Promise<Deployment[]>;
  /** Stops watching: running deployments carry on in AWS and the next start takes them over. */
  shutdown(): Promise<void>;
}
