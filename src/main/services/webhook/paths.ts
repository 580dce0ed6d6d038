import { join } from 'node:path';

/**
 * The webhook's files under the data directory, beside (never inside) the projects: one trigger file per
 * project holding its sealed secret and webhook profile, a bounded deliveries log, and delivery-id markers.
 * Callers pass validated project names only; they become path segments.
 */
export interface WebhookPaths {
  root: string;
  keyFile: string;
  triggerFile(project: string): string;
  triggerLock(project: string): string;
  deliveriesFile(project: string): string;
  /** The previous deliveries file, kept when the current one reaches its cap. */
  deliveriesOlderFile(project: string): string;
  deliveriesLock(project: string): string;
  deliveryIdsDir(project: string): string;
}

export function webhookPaths(dataDir: string): WebhookPaths {
  const root = join(dataDir, 'webhook');
  const locks = join(root, 'locks');
  return {
    root,
    keyFile: join(root, 'secret.key'),
    triggerFile: (project) => join(root, 'triggers', `${project}.json`),
    triggerLock: (project) => join(locks, `trigger-${project.toLowerCase()}.lock`),
    deliveriesFile: (project) => join(root, 'deliveries', `${project}.jsonl`),
    deliveriesOlderFile: (project) => join(root, 'deliveries', `${project}.1.jsonl`),
    deliveriesLock: (project) => join(locks, `deliveries-${project.toLowerCase()}.lock`),
    deliveryIdsDir: (project) => join(root, 'delivery-ids', project),
  };
}
