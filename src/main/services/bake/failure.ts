import type { BakeError, BakeStep } from '../../../shared/bake';
import { AppError, type ErrorCode } from '../../../shared/result';
import { targetContext, toAppError, type ErrorContext } from '../aws/errors';

/** The codes a failed bake can carry: the app's error codes, plus the script's own failure. */
export type BakeErrorCode = ErrorCode | 'SCRIPT_FAILED';

/** Why a bake failed, with what the person needs to act on it: the script's exit code and console tail. */
export class BakeFailure extends Error {
  readonly code: BakeErrorCode;
  readonly exitCode: number | undefined;
  readonly consoleTail: string[] | undefined;
  readonly details: Record<string, string> | undefined;

  constructor(
    code: BakeErrorCode,
    message: string,
    extra: { exitCode?: number; consoleTail?: string[]; details?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'BakeFailure';
    this.code = code;
    this.exitCode = extra.exitCode;
    this.consoleTail = extra.consoleTail;
    this.details = extra.details;
  }
}

export function isAbortError(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'AbortError' ||
      ((error instanceof AppError || error instanceof BakeFailure) && error.code === 'CANCELLED'))
  );
}

/** Any error a step threw, as a BakeFailure: AWS errors in words a person can act on. */
export function asFailure(
  error: unknown,
  target: Pick<ErrorContext, 'profile' | 'kind' | 'simulated'>,
): BakeFailure {
  if (error instanceof BakeFailure) return error;
  const app = error instanceof AppError ? error : toAppError(error, targetContext(target));
  return new BakeFailure(app.code, app.message, app.details ? { details: app.details } : {});
}

export function toBakeError(step: BakeStep, failure: BakeFailure): BakeError {
  return {
    step,
    code: failure.code,
    message: failure.message,
    ...(failure.exitCode !== undefined ? { exitCode: failure.exitCode } : {}),
    ...(failure.consoleTail ? { consoleTail: failure.consoleTail } : {}),
    ...(failure.details && Object.keys(failure.details).length > 0 ? { details: failure.details } : {}),
  };
}
