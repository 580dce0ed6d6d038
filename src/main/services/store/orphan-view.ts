import type { BakeRecord } from '../../../shared/bake';
import type { LiveOwner } from './owner';

type GoneOwner = Extract<LiveOwner, { live: false }>;

/** What runs recovery, in the words a listing uses. */
export const RECOVERY_HINT =
  '`quadraxis bakes --recover` resumes it where it stopped or cleans up what it launched — so does the next ' +
  '`quadraxis bake`, `sweep` or `serve`, and the app, when it starts or sees the bake.';

function whoStopped(gone: GoneOwner): string {
  const who = gone.owner
    ? `${gone.owner.actor} (pid ${gone.owner.pid} on ${gone.owner.hostname})`
    : 'The process running it';
  switch (gone.reason) {
    case 'dead-process':
      return `${who} is gone: it stopped before the bake finished.`;
    case 'stale-heartbeat':
      return `${who} has not been heard from for too long: it stopped or froze before the bake finished.`;
    case 'no-owner':
      return 'No process is running this bake.';
    case 'unreadable':
      return 'Which process runs this bake cannot be read, so none does.';
  }
}

/**
 * An unfinished bake whose process is gone, as a listing shows it: `interrupted`, with what happened and
 * how it will be recovered in `message`, and the journal's own status in `orphaned.was`. Never stored: once
 * recovery claims the bake its record moves on (resumed) or ends (cleaned up), and listings follow.
 */
export function orphanView(record: BakeRecord, gone: GoneOwner): BakeRecord {
  return {
    ...record,
    status: 'interrupted',
    message: `${whoStopped(gone)} ${RECOVERY_HINT}`,
    orphaned: {
      was: record.status,
      ...(record.message !== undefined ? { wasMessage: record.message } : {}),
      reason: gone.reason,
      ...(gone.owner
        ? { owner: { pid: gone.owner.pid, hostname: gone.owner.hostname, actor: gone.owner.actor } }
        : {}),
    },
  };
}
