import type { BakeRecord } from '../../../shared/bake';

const VERB: Record<string, string> = {
  succeeded: 'finished',
  failed: 'failed',
  cancelled: 'was cancelled',
  interrupted: 'was interrupted',
};

/**
 * What the desktop notice says when a bake ends while no window has focus. It names the environment
 * (issue 18): "Bake of web (prod) failed" and "Bake of web (dev) failed" call for different haste.
 * Kept apart from the Electron code that shows it, so it is tested without Electron.
 */
export function finishedBakeNotice(record: BakeRecord): { title: string; body: string } {
  const project = record.environment ? `${record.project} (${record.environment})` : record.project;
  return {
    title: `Bake of ${project} ${VERB[record.status] ?? record.status}`,
    body:
      record.status === 'succeeded'
        ? `${record.imageId ?? ''}${record.simulated ? ' (simulated)' : ''} in ${record.region}`
        : (record.error?.message ?? record.message ?? ''),
  };
}
