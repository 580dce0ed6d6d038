import { join } from 'node:path';

/**
 * The webhook's files under the data directory, beside (never inside) the projects: one trigger file per
 * project (its sealed GitHub secret, its token's hash, its webhook profile), a bounded deliveries log, the
 * refused-request counts, replay markers, and the project's webhook bake queue. Callers pass validated
 * project names only; they become path segments. Suffixes that are not the name itself use `@`, which a
 * project name cannot contain, so no project's file is ever another project's.
 */
export interface WebhookPaths {
  root: string;
  keyFile: string;
  triggerFile(project: string): string;
  /** A trigger file no project can have: what a name that is not a project name is looked up as. */
  absentTriggerFile: string;
  /** A trigger file read beside every project's, so a missing one costs the same I/O as a present one. */
  decoyTriggerFile: string;
  triggerLock(project: string): string;
  deliveriesDir: string;
  deliveriesFile(project: string): string;
  /** The previous deliveries file, kept when the current one reaches its cap. */
  deliveriesOlderFile(project: string): string;
  deliveriesLock(project: string): string;
  /** Requests refused before authentication, counted rather than logged one by one. */
  refusalsFile(project: string): string;
  refusalsLock(project: string): string;
  /** What each project's recent webhook bakes were asked by: one marker per signed content. */
  replaysDir(project: string): string;
  /** The project's running and queued webhook bakes. */
  queueFile(project: string): string;
  queueLock(project: string): string;
}

export function webhookPaths(dataDir: string): WebhookPaths {
  const root = join(dataDir, 'webhook');
  const locks = join(root, 'locks');
  const deliveriesDir = join(root, 'deliveries');
  return {
    root,
    keyFile: join(root, 'secret.key'),
    triggerFile: (project) => join(root, 'triggers', `${project}.json`),
    absentTriggerFile: join(root, 'triggers', '@absent.json'),
    decoyTriggerFile: join(root, 'triggers', '@decoy.json'),
    triggerLock: (project) => join(locks, `trigger-${project.toLowerCase()}.lock`),
    deliveriesDir,
    deliveriesFile: (project) => join(deliveriesDir, `${project}.jsonl`),
    deliveriesOlderFile: (project) => join(deliveriesDir, `${project}@older.jsonl`),
    deliveriesLock: (project) => join(locks, `deliveries-${project.toLowerCase()}.lock`),
    refusalsFile: (project) => join(root, 'refusals', `${project}.json`),
    refusalsLock: (project) => join(locks, `refusals-${project.toLowerCase()}.lock`),
    replaysDir: (project) => join(root, 'replays', project),
    queueFile: (project) => join(root, 'queue', `${project}.json`),
    queueLock: (project) => join(locks, `queue-${project.toLowerCase()}.lock`),
  };
}
