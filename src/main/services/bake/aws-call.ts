import { AppError } from '../../../shared/result';
import { abortReason, type Clock } from '../clock';
import type { RegionLimiter } from './rate-limiter';

/** What one bake's AWS calls share: its cancel signal, the region's limiter, and its call counter. */
export interface CallScope {
  clock: Clock;
  limiter: RegionLimiter;
  signal: AbortSignal;
  onCall: () => void;
}

export type Send<T> = (options: { abortSignal: AbortSignal }) => Promise<T>;

const THROTTLING = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
]);
const TRANSIENT = new Set([
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'Unavailable',
  'RequestTimeout',
]);
const NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
]);

/** AWS's error code (the SDK puts it in `name`; the aws services keep it in details), or a network error code. */
export function awsErrorCode(error: unknown): string | undefined {
  if (error instanceof AppError) return error.details?.awsCode;
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { name?: unknown; code?: unknown; Code?: unknown };
  if (typeof e.code === 'string' && NETWORK.has(e.code)) return e.code;
  if (typeof e.Code === 'string') return e.Code;
  return typeof e.name === 'string' ? e.name : undefined;
}

export function isThrottling(error: unknown): boolean {
  const code = awsErrorCode(error);
  return code !== undefined && THROTTLING.has(code);
}

/** Errors that say nothing about the request itself: the same call may well succeed a moment later. */
export function isRetryable(error: unknown): boolean {
  if (isThrottling(error)) return true;
  // The aws services translate SDK errors early; the code they keep still says whether waiting could help.
  if (error instanceof AppError)
    return error.code === 'UNAVAILABLE' || TRANSIENT.has(error.details?.awsCode ?? '');
  const code = awsErrorCode(error);
  // A 500 too, but capacity does not come back in seconds: the launch step decides how long to wait for it.
  if (code !== undefined && /^Insufficient\w*Capacity$/.test(code)) return false;
  if (code !== undefined && (TRANSIENT.has(code) || NETWORK.has(code))) return true;
  if (code === 'TimeoutError') return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  return error instanceof Error && /socket hang up|network|ECONNRESET/i.test(error.message);
}

export interface CallOptions {
  /** Total tries, including the first. Idempotent calls only (RunInstances is, through its ClientToken). */
  attempts?: number;
}

const DEFAULT_ATTEMPTS = 10;
const MAX_DELAY_MS = 20_000;

/**
 * Sends one EC2 call for a bake: waits for the region's token bucket, counts it, passes the bake's cancel
 * signal, and retries throttling and server-side failures with backoff on the engine's clock. This sits on
 * top of the SDK's own retries because a bake is long and expensive: giving up on the third 503 of a storm
 * would leak the work done so far, while a few more seconds of patience costs nothing.
 */
export async function callAws<T>(
  scope: CallScope,
  action: string,
  send: Send<T>,
  options: CallOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  for (let attempt = 1; ; attempt++) {
    await scope.limiter.acquire(action, scope.signal);
    scope.onCall();
    try {
      return await send({ abortSignal: scope.signal });
    } catch (error) {
      if (scope.signal.aborted) throw abortReason(scope.signal);
      if (attempt >= attempts || !isRetryable(error)) throw error;
      await scope.clock.sleep(backoffMs(attempt, isThrottling(error)), scope.signal);
    }
  }
}

function backoffMs(attempt: number, throttled: boolean): number {
  const base = throttled ? 1000 : 500;
  const ceiling = Math.min(MAX_DELAY_MS, base * 2 ** (attempt - 1));
  // "Equal jitter": at least half the ceiling, so retries from many bakes spread out but never hammer.
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
