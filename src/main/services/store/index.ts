import { VirtualClock } from '../clock';
import type { Clock } from '../clock';
import { BakeStore } from './bakes';
import { CONSOLE_CAP_BYTES } from './console-log';
import { currentIdentity } from './context';
import type { StoreContext } from './context';
import { DeploymentStore } from './deployments';
import { DraftStore } from './drafts';
import { BakeOwners } from './owner';
import type { OwnerOptions } from './owner';
import { storePaths } from './paths';
import { closePrivateDir } from './private-dir';
import { ProjectStore } from './projects';
import { Notices, Quarantine } from './quarantine';
import type { StoreLogger } from './quarantine';
import { VersionStore } from './versions';

export { newBakeId, bakeIdTime } from './bake-id';
export type { BakeListOptions, CreateBakeOptions } from './bakes';
export { BakeInputsSchema, type BakeInputs } from './bake-inputs';
export type { CreatedEvent } from './bake-dir';
export { BakeStore, MAX_BAKE_LIST } from './bakes';
export { RECOVERY_HINT } from './orphan-view';
export { CONSOLE_CAP_BYTES, CONSOLE_TRUNCATED_MARKER } from './console-log';
export type { Draft, DraftInput } from './drafts';
export { DeploymentStore, newDeployId, type DeploymentListOptions } from './deployments';
export type { ReadJournalOptions } from './journal';
export type { BakeClaim, BakeOwner, LiveOwner, OwnerOptions } from './owner';
export type { ProjectCheck, ProjectFormat, ProjectIssue, ParseOptions } from './project-file';
export {
  MAX_PROJECT_FILE_BYTES,
  checkProjectText,
  detectFormat,
  exportProjectYaml,
  parseProjectText,
  projectRevision,
} from './project-file';
export { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, writeAtomic } from './atomic';
export { closePrivateDir, type PrivateDirReport } from './private-dir';
export { migrateProject } from './project-migrate';
export type { ProjectEntry } from './projects';
export type { Notices, StoreLogger, StoreNotice } from './quarantine';
export type { VersionInput, VersionListOptions } from './versions';

export interface StoreOptions {
  /** From resolveDataDir() (src/main/services/data-dir.ts). */
  dataDir: string;
  clock: Clock;
  logger?: StoreLogger;
  /** Named in conflict messages and owner.json: "Quadraxis app", "quadraxis CLI", "webhook server". */
  actor?: string;
  owner?: OwnerOptions;
  consoleCapBytes?: number;
}

export interface Store {
  dataDir: string;
  projects: ProjectStore;
  versions: VersionStore;
  bakes: BakeStore;
  drafts: DraftStore;
  /** Deployments of versions to Auto Scaling groups, per project (deployments.ts). */
  deployments: DeploymentStore;
  /** Files found unusable (quarantined or skipped), for the app to show once. */
  notices: Notices;
}

const stderrLogger: StoreLogger = {
  warn: (message) => process.stderr.write(`quadraxis store: ${message}\n`),
};

/**
 * Opens the data directory. Cheap: nothing is read until asked; directories appear on first write (0700).
 * One found readable by others (an older version's) is closed first — see closePrivateDir.
 */
export function createStore(opts: StoreOptions): Store {
  const paths = storePaths(opts.dataDir);
  const logger = opts.logger ?? stderrLogger;
  const closed = closePrivateDir(opts.dataDir);
  if (closed.fixed > 0)
    logger.warn(
      `The data directory ${opts.dataDir} was readable by other users; it and ${closed.fixed - 1} files and folders in it are now yours alone.`,
    );
  for (const failure of closed.failed.slice(0, 5))
    logger.warn(`Could not make this private in the data directory: ${failure}`);
  const notices = new Notices();
  const ctx: StoreContext = {
    paths,
    clock: opts.clock,
    logger,
    notices,
    quarantine: new Quarantine(paths, opts.clock, notices, logger),
    identity: currentIdentity(opts.actor ?? 'Quadraxis'),
  };
  const track = tracker(opts.clock);
  const versions = track(new VersionStore(ctx));
  const drafts = track(new DraftStore(ctx));
  const bakes = track(
    new BakeStore(ctx, new BakeOwners(ctx, opts.owner), opts.consoleCapBytes ?? CONSOLE_CAP_BYTES),
  );
  const deployments = track(
    new DeploymentStore(ctx, opts.owner?.processToken ? { processToken: opts.owner.processToken } : {}),
  );
  const projects = track(new ProjectStore(ctx, { versions, drafts, bakes, deployments }));
  return { dataDir: opts.dataDir, projects, versions, bakes, drafts, deployments, notices };
}

/**
 * Under a VirtualClock in auto mode, time jumps whenever no tracked work is in flight; file I/O is such
 * work, so every store call that returns a promise is tracked and a bake's clock never skips past a write.
 */
function tracker(clock: Clock): <T extends object>(service: T) => T {
  if (!(clock instanceof VirtualClock)) return (service) => service;
  return (service) =>
    new Proxy(service, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result: unknown = Reflect.apply(value, target, args);
          return result instanceof Promise ? clock.track(result) : result;
        };
      },
    });
}
