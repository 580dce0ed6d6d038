import { STEP_LABELS, isFinalStatus } from '../../../../shared/bake';
import type { BakeRecord, BakeStatus, BakeStep, StepState, StepStatus } from '../../../../shared/bake';

/** Pure helpers behind the bake screens: words, colours, durations and progress for a BakeRecord. */

export const STATUS_META: Record<BakeStatus, { label: string; color: string }> = {
  queued: { label: 'Queued', color: 'gray' },
  running: { label: 'Running', color: 'blue' },
  'cleaning-up': { label: 'Cleaning up', color: 'orange' },
  succeeded: { label: 'Succeeded', color: 'teal' },
  failed: { label: 'Failed', color: 'red' },
  cancelled: { label: 'Cancelled', color: 'gray' },
  interrupted: { label: 'Interrupted', color: 'yellow' },
};

export const STEP_STATUS_LABELS: Record<StepStatus, string> = {
  pending: 'not started',
  running: 'running',
  done: 'done',
  failed: 'failed',
  skipped: 'skipped',
  cancelled: 'cancelled',
};

/** "0.4 s", "12 s", "3 m 05 s", "1 h 02 m": precise when short, calm when long. */
export function formatDuration(ms: number): string {
  const safe = Math.max(0, ms);
  const tenths = Math.round(safe / 100);
  if (tenths === 0) return '< 0.1 s';
  if (tenths < 100) return `${(tenths / 10).toFixed(1)} s`;
  const seconds = Math.round(safe / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} m ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} m`;
}

/** A start time: the time of day today, with the date on other days. */
export function formatTime(at: number, now: number, locale?: string): string {
  const date = new Date(at);
  const sameDay = new Date(now).toDateString() === date.toDateString();
  return new Intl.DateTimeFormat(locale, {
    ...(sameDay ? {} : { month: 'short', day: 'numeric' }),
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).format(date);
}

/** How long a step took, or has taken so far while it runs; undefined before it started. */
export function stepElapsed(step: StepState, now: number): number | undefined {
  if (step.startedAt === undefined) return undefined;
  if (step.endedAt !== undefined) return step.endedAt - step.startedAt;
  return step.status === 'running' ? now - step.startedAt : undefined;
}

/** The whole bake's duration so far (from when it started running, else from when it was queued). */
export function bakeElapsed(record: BakeRecord, now: number): number {
  const start = record.startedAt ?? record.createdAt;
  const end = record.endedAt ?? (isFinalStatus(record.status) ? start : now);
  return end - start;
}

/**
 * Rough share of a typical bake's time per step, so the bar does not leap through the quick API calls and
 * then sit still while the script runs.
 */
const STEP_WEIGHTS: Record<Exclude<BakeStep, 'cleanup'>, number> = {
  preflight: 1,
  launch: 1,
  'wait-running': 3,
  'run-script': 12,
  stop: 3,
  'create-image': 1,
  'wait-image': 8,
  terminate: 1,
  copy: 8,
  share: 1,
  publish: 1,
  record: 1,
  prune: 1,
};

/** 0–100. A running step counts half; a succeeded bake is 100 even when it joined another halfway. */
export function bakeProgress(record: BakeRecord): number {
  if (record.status === 'succeeded') return 100;
  let total = 0;
  let done = 0;
  for (const step of record.steps) {
    if (step.step === 'cleanup') continue;
    const weight = STEP_WEIGHTS[step.step];
    total += weight;
    if (step.status === 'done') done += weight;
    else if (step.status === 'running') done += weight / 2;
  }
  return total === 0 ? 0 : Math.round((done / total) * 100);
}

/** The step to talk about: the one running, else the one that failed or was cancelled. */
export function currentStep(record: BakeRecord): StepState | undefined {
  const running = record.steps.filter((s) => s.status === 'running');
  if (running.length > 0) return running[running.length - 1];
  return record.steps.find((s) => s.status === 'failed' || s.status === 'cancelled');
}

/**
 * "launched i-… (t3.micro)" → "Launched i-… (t3.micro)." The engine's step messages are fragments meant to
 * follow a label; a fragment that starts with an id ("ami-0abc is available") keeps its lower case.
 */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return trimmed;
  const firstWord = /^\S+/.exec(trimmed)?.[0] ?? '';
  const capital = /^[a-z]+[,:;]?$/.test(firstWord)
    ? trimmed.charAt(0).toUpperCase() + trimmed.slice(1)
    : trimmed;
  return /[.!?…)]$/.test(capital) ? capital : `${capital}.`;
}

/** The steps to list: the pipeline, and cleanup only when it ran. */
export function visibleSteps(record: BakeRecord): StepState[] {
  return record.steps.filter((s) => s.step !== 'cleanup' || s.status !== 'pending');
}

/** What cleanup did, in one sentence. */
export function describeCleanup(record: BakeRecord): string | undefined {
  const cleanup = record.steps.find((s) => s.step === 'cleanup');
  if (cleanup?.status === 'failed') {
    return `Cleanup did not finish: ${cleanup.message ?? 'see the log'}. Run \`quadraxis sweep\` to remove what is left.`;
  }
  if (record.cleanedUp.length > 0) return `Cleaned up afterwards: ${joinWords(record.cleanedUp)}.`;
  if (cleanup?.status === 'done') return 'Nothing had been left behind, so there was nothing to clean up.';
  if (cleanup?.status === 'running') return 'Cleaning up what the bake created…';
  if (!record.instanceId && !record.imageId)
    return 'Nothing had been launched yet, so there was nothing to clean up.';
  return undefined;
}

export interface FailureSummary {
  title: string;
  sentences: string[];
  consoleTail?: string[];
}

/** Why a bake did not succeed, in sentences a person can act on. */
export function describeFailure(record: BakeRecord): FailureSummary | undefined {
  const where = currentStep(record)?.step ?? record.error?.step;
  const stepName = where ? `“${STEP_LABELS[where]}”` : 'an early step';
  const cleanup = describeCleanup(record);
  const tail = (sentences: string[]) => (cleanup ? [...sentences, cleanup] : sentences);
  if (record.status === 'failed') {
    const error = record.error;
    const sentences: string[] = [];
    if (error) {
      sentences.push(sentence(error.message));
      if (error.exitCode !== undefined && !error.message.includes(`exit code ${error.exitCode}`)) {
        sentences.push(`The script exited with code ${error.exitCode}.`);
      }
    } else if (record.message) sentences.push(sentence(record.message));
    const step = error?.step ?? where;
    return {
      title: `Failed at ${step ? `“${STEP_LABELS[step]}”` : stepName}`,
      sentences: tail(sentences),
      ...(error?.consoleTail && error.consoleTail.length > 0 ? { consoleTail: error.consoleTail } : {}),
    };
  }
  if (record.status === 'cancelled') {
    return { title: `Cancelled during ${stepName}`, sentences: tail([]) };
  }
  if (record.status === 'interrupted') {
    return {
      title: 'Interrupted',
      sentences: tail([
        record.message
          ? sentence(record.message)
          : 'Quadraxis stopped while this bake was running; it was cleaned up when Quadraxis started again.',
      ]),
    };
  }
  return undefined;
}

function joinWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]!}`;
}

export interface TimelineBar {
  step: BakeStep;
  label: string;
  status: StepStatus;
  /** Share of the bake's span, 0–1. */
  offset: number;
  width: number;
  durationMs: number;
}

/** Bars for the steps that ran, placed on the bake's own time axis. */
export function timelineBars(record: BakeRecord): { bars: TimelineBar[]; spanMs: number } {
  const ran = record.steps.filter(
    (s): s is StepState & { startedAt: number; endedAt: number } =>
      s.startedAt !== undefined && s.endedAt !== undefined,
  );
  if (ran.length === 0) return { bars: [], spanMs: 0 };
  const start = Math.min(...ran.map((s) => s.startedAt));
  const end = Math.max(...ran.map((s) => s.endedAt));
  const span = Math.max(1, end - start);
  return {
    spanMs: end - start,
    bars: ran.map((s) => ({
      step: s.step,
      label: STEP_LABELS[s.step],
      status: s.status,
      offset: (s.startedAt - start) / span,
      width: (s.endedAt - s.startedAt) / span,
      durationMs: s.endedAt - s.startedAt,
    })),
  };
}

/** "Waiting for a free slot in us-east-1: 4 bakes running, 1 ahead." → "Waiting for a free slot (1 ahead)". */
export function queueMessage(record: BakeRecord): string {
  const ahead = /(\d+) ahead/.exec(record.message ?? '')?.[1];
  return ahead !== undefined ? `Waiting for a free slot (${ahead} ahead)` : 'Queued';
}
