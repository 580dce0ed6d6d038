import type { BakeError, BakeEvent, BakeRecord } from '../../../shared/bake';
import { applyEnvironment } from '../../../shared/environments';
import type { BakeStartRequest } from '../../../shared/ipc/bake.contract';
import { AppError, ERROR_CODES, type ErrorCode } from '../../../shared/result';
import type { AppContext } from '../app-context';

/** How long bake:start waits for preflight before answering anyway (the bake page shows the rest). */
const PREFLIGHT_WAIT_MS = 30_000;

type Outcome = { passed: true } | { passed: false; error?: BakeError };

/**
 * Starts a bake for the app and waits for its preflight. An identical image that already exists is the
 * engine's start() refusing (CONFLICT, details.reason "identical", nothing recorded), which reaches the
 * dialog as this call's error for "bake again anyway". Problems preflight finds — an invalid project, user
 * data over EC2's limit even gzipped, an image name taken — are a failed bake; the person who pressed
 * "Bake AMI" should read them in the dialog they are looking at, so they are turned into this call's error.
 */
export async function startBake(ctx: AppContext, request: BakeStartRequest): Promise<BakeRecord> {
  const { engine, store } = ctx.runtime;
  const entry = await store.projects.get(request.project);
  if (!entry) throw new AppError('NOT_FOUND', `There is no project named "${request.project}".`);
  const settings = ctx.settings.get();
  const profile = request.profile ?? settings.profile;
  if (!profile) {
    throw new AppError('INVALID_INPUT', 'Choose the AWS profile to bake with.', { missing: 'profile' });
  }
  // An environment may pin its own region; an unknown environment is refused here, before anything starts.
  const applied = applyEnvironment(entry.project, request.environment);
  const region = request.region ?? applied.region ?? settings.region;

  // Listen before starting: the bake's first events may go out before start() has answered.
  const seen: BakeEvent[] = [];
  let notify = () => {};
  const off = engine.subscribe((event) => {
    seen.push(event);
    notify();
  });
  const timeout = new AbortController();
  try {
    const record = await engine.start({
      project: entry.project,
      profile,
      ...(region ? { region } : {}),
      trigger: 'app',
      ...(request.force ? { force: true } : {}),
      ...(request.environment ? { environment: request.environment } : {}),
    });
    const outcome = await new Promise<Outcome | undefined>((resolve) => {
      const progress = { done: false };
      const look = () => {
        for (const event of seen.splice(0)) {
          const settled = preflightOutcome(event, record.id, progress);
          if (settled) return resolve(settled);
        }
      };
      notify = look;
      look();
      ctx.clock.sleep(PREFLIGHT_WAIT_MS, timeout.signal).then(
        () => resolve(undefined),
        () => undefined,
      );
    });
    if (outcome && !outcome.passed && outcome.error) throw startError(record, outcome.error);
    return (await engine.get(record.id)) ?? record;
  } finally {
    off();
    timeout.abort();
  }
}

/**
 * Preflight's "done" is held back and goes out with the next event: so "done" alone decides nothing, the
 * event that follows it does — a failure of the same step (with its error next), or anything else, which
 * means the bake went on.
 */
function preflightOutcome(event: BakeEvent, bakeId: string, seen: { done: boolean }): Outcome | undefined {
  if (event.bakeId !== bakeId) return undefined;
  if (event.type === 'error')
    return event.error.step === 'preflight' ? { passed: false, error: event.error } : { passed: true };
  if (event.type === 'finished') {
    const error = event.record.error;
    return error?.step === 'preflight' ? { passed: false, error } : { passed: true };
  }
  if (event.type === 'step' && event.step === 'preflight') {
    if (event.status === 'done') seen.done = true;
    if (event.status === 'cancelled' || event.status === 'skipped') return { passed: true };
    return undefined;
  }
  return seen.done ? { passed: true } : undefined;
}

/** The failed bake's error as this call's, its details kept (an image name taken names the image). */
function startError(record: BakeRecord, error: BakeError): AppError {
  const code: ErrorCode = (ERROR_CODES as readonly string[]).includes(error.code)
    ? (error.code as ErrorCode)
    : 'AWS_ERROR';
  return new AppError(code, error.message, { ...error.details, bakeId: record.id });
}
