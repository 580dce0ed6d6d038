import { STEP_LABELS, warningsHeading, type BakeEvent, type BakeRecord } from '../../../shared/bake';

/**
 * Bake progress as lines a person reads in a terminal or a log: one line per step change, console output
 * indented, cleanup actions named. No spinners and no cursor movement, so it reads the same in CI logs.
 */
export function describeEvent(event: BakeEvent): string[] {
  switch (event.type) {
    case 'created':
      return [
        `Bake ${event.record.id}: ${event.record.project}${forEnvironment(event.record)} with profile ${event.record.profile} in ${event.record.region}`,
      ];
    case 'status':
      if (event.status === 'queued' || event.status === 'cleaning-up')
        return [`… ${event.message ?? event.status}`];
      return event.message && event.status === 'running' ? [`… ${event.message}`] : [];
    case 'step': {
      const label = STEP_LABELS[event.step];
      const detail = event.message ? ` — ${event.message}` : '';
      if (event.status === 'running') return [event.message ? `… ${label}${detail}` : `… ${label}`];
      if (event.status === 'done') return [`✓ ${label}${detail}`];
      if (event.status === 'failed') return [`✗ ${label}${detail}`];
      if (event.status === 'cancelled') return [`✗ ${label} — cancelled`];
      return [];
    }
    case 'console':
      return event.lines.map((line) => `  │ ${line}`);
    case 'cleanup':
      return [`  cleanup: ${event.action}`];
    case 'error':
      return event.error.consoleTail && event.error.consoleTail.length > 0
        ? ['  last console lines:', ...event.error.consoleTail.map((line) => `  │ ${line}`)]
        : [];
    case 'warnings':
      return [
        `! ${warningsHeading(event.warnings)} (recoverable errors):`,
        ...event.warnings.map((w) => `  ! ${w.level}: ${w.message}`),
      ];
    case 'copy':
      return [describeCopy(event)];
    case 'published':
      return [`  ${event.region}: setting ${event.name} to ${event.imageId}`];
    case 'resource':
    case 'finished':
      return [];
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function describeCopy(event: Extract<BakeEvent, { type: 'copy' }>): string {
  const id = event.imageId ?? 'copy';
  if (event.state === 'copying' && !event.imageId) return `  ${event.region}: starting the copy`;
  switch (event.state) {
    case 'copying':
      return `  ${event.region}: ${id} copying${event.progress !== undefined ? ` (${Math.floor(event.progress)}%)` : ''}`;
    case 'available':
      return `  ${event.region}: ${id} available`;
    case 'failed':
      return `  ${event.region}: ${id} failed${event.message ? ` — ${event.message}` : ''}`;
    case 'removed':
      return `  ${event.region}: ${id} removed`;
  }
}

/**
 * " (environment prod)" for a bake of a named environment, nothing for the project's own values: the
 * header and the last line of a bake say which environment it was for, so a CI log of several answers
 * "which one was prod?" without scrolling back.
 */
function forEnvironment(record: BakeRecord): string {
  return record.environment ? ` (environment ${record.environment})` : '';
}

export function describeOutcome(record: BakeRecord): string {
  const took =
    record.endedAt !== undefined
      ? ` in ${formatSeconds(record.endedAt - (record.startedAt ?? record.createdAt))}`
      : '';
  // "Failed in 12 s (environment prod): …" — before the colon, where a reader of either outcome looks.
  const seconds = `${took}${forEnvironment(record)}`;
  const where = record.simulated ? ' (simulated: the sandbox made it, it is not a real AMI)' : '';
  if (record.status === 'succeeded') {
    const version = record.version !== undefined ? `, version ${record.version}` : '';
    const joined = record.joinedTo ? `, shared with ${record.joinedTo}` : '';
    const warned = record.warnings?.length
      ? ` with ${plural(record.warnings.length, 'cloud-init warning')}`
      : '';
    const copies = (record.copies ?? []).filter((c) => c.state === 'available' && c.imageId);
    const elsewhere =
      copies.length > 0 ? `; copies: ${copies.map((c) => `${c.region} ${c.imageId ?? ''}`).join(', ')}` : '';
    return `Succeeded${warned}${seconds}: ${record.imageId ?? '?'} "${record.imageName ?? ''}"${version}${joined}${elsewhere}${where}`;
  }
  const cleaned = record.cleanedUp.length > 0 ? ` Cleaned up: ${record.cleanedUp.join(', ')}.` : '';
  return `${record.status === 'cancelled' ? 'Cancelled' : 'Failed'}${seconds}: ${record.message ?? record.error?.message ?? record.status}${cleaned}`;
}

function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
