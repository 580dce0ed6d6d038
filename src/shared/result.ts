import { z } from 'zod';

/**
 * Error codes the renderer, the CLI and the webhook can act on. A code is a promise to the UI:
 * add one only when something should behave differently for it.
 */
export const ERROR_CODES = [
  'INVALID_INPUT', // the payload did not match the contract; nothing was changed
  'FORBIDDEN_SENDER', // an IPC call from a frame that is not our window's main frame
  'NOT_FOUND',
  'CONFLICT', // e.g. a project with that name exists, an image with the target name exists
  'CORRUPT_DATA', // a file in the data directory could not be read; it was quarantined
  'CREDENTIALS', // no usable credentials for the profile (expired SSO, missing MFA, unknown profile)
  'MFA_REQUIRED',
  'SSO_EXPIRED',
  'ACCESS_DENIED',
  'AWS_ERROR', // any other error EC2/STS/SSM returned; the message carries AWS's code
  'THROTTLED',
  'CANCELLED',
  'TIMEOUT',
  'UNAVAILABLE', // a dependency is not running (e.g. the sandbox), or the app is shutting down
  'INTERNAL',
] as const;

export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const AppErrorPayloadSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  /** Machine-readable extras, e.g. AWS's own error code or the command that fixes the problem. */
  details: z.record(z.string(), z.string()).optional(),
});
export type AppErrorPayload = z.infer<typeof AppErrorPayloadSchema>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorPayload };

export function resultSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: AppErrorPayloadSchema }),
  ]);
}

/** An error that crosses process boundaries as `{ code, message }`; anything else becomes INTERNAL. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, string> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, string>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  toPayload(): AppErrorPayload {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Formats zod issues as one readable line per problem, path first: "instanceType: Invalid ...". */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
