import { abortReason, type Clock } from '../clock';
import { isRetryable } from './aws-call';
import type { ImageView, InstanceView, Observation, RegionPoller, Watcher } from './poller';
import type { Schedule } from './schedules';

export interface WaitScope {
  clock: Clock;
  signal: AbortSignal;
  onCall: () => void;
}

export interface WaitOptions<T> {
  /** When to look: the poller asks it before every tick and tells it what each look saw. */
  schedule: Schedule<T>;
  timeoutMs?: number;
  onTimeout?: () => Error;
  /**
   * EC2 is eventually consistent: a resource made a moment ago may not be listed yet. Until this much time has
   * passed since the wait began, "missing" is taken as "not visible yet" rather than "gone".
   */
  missingGraceMs?: number;
}

/** Decides from what the poller saw: a value ends the wait, undefined keeps waiting, a throw fails it. */
export type Decide<T, R> = (seen: T | 'missing') => R | undefined;

const DEFAULT_MISSING_GRACE_MS = 60_000;
/** Consecutive non-retryable poll errors (expired credentials, access denied) after which the wait gives up. */
const MAX_HARD_ERRORS = 3;

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

type Watch<T> = (watcher: Watcher<T>) => () => void;

function waitFor<T, R>(
  watch: Watch<T>,
  scope: WaitScope,
  decide: Decide<T, R>,
  options: WaitOptions<T>,
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const since = scope.clock.now();
    const grace = options.missingGraceMs ?? DEFAULT_MISSING_GRACE_MS;
    const timer = new AbortController();
    let done = false;
    let hardErrors = 0;
    let unwatch = (): void => {};
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      unwatch();
      timer.abort();
      scope.signal.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = () => finish(() => reject(abortReason(scope.signal)));
    if (scope.signal.aborted) return onAbort();
    scope.signal.addEventListener('abort', onAbort, { once: true });
    const see = (observation: Observation<T>): void => {
      if (observation.kind === 'error') {
        hardErrors = isRetryable(observation.error) ? 0 : hardErrors + 1;
        if (hardErrors >= MAX_HARD_ERRORS) finish(() => reject(asError(observation.error)));
        return;
      }
      hardErrors = 0;
      if (observation.kind === 'missing' && scope.clock.now() - since < grace) return;
      try {
        const result = decide(observation.kind === 'found' ? observation.value : 'missing');
        if (result !== undefined) finish(() => resolve(result));
      } catch (error) {
        finish(() => reject(asError(error)));
      }
    };
    unwatch = watch({
      onCall: scope.onCall,
      nextLook: () => options.schedule.nextLook(),
      onObservation: (observation) => {
        if (done) return;
        // The schedule hears every look, including the one that ends the wait: the next step carries on.
        options.schedule.observed(scope.clock.now(), observation);
        see(observation);
      },
    });
    if (done) unwatch();
    if (options.timeoutMs !== undefined) {
      const onTimeout = options.onTimeout ?? (() => new Error('Timed out.'));
      scope.clock.sleep(options.timeoutMs, timer.signal).then(
        () => finish(() => reject(onTimeout())),
        () => undefined,
      );
    }
  });
}

export function waitForInstance<R>(
  poller: RegionPoller,
  instanceId: string,
  scope: WaitScope,
  decide: Decide<InstanceView, R>,
  options: WaitOptions<InstanceView>,
): Promise<R> {
  return waitFor((watcher) => poller.watchInstance(instanceId, watcher), scope, decide, options);
}

export function waitForImage<R>(
  poller: RegionPoller,
  imageId: string,
  scope: WaitScope,
  decide: Decide<ImageView, R>,
  options: WaitOptions<ImageView>,
): Promise<R> {
  return waitFor((watcher) => poller.watchImage(imageId, watcher), scope, decide, options);
}
