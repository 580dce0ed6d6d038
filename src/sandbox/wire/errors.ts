/**
 * An error the sandbox answers with, in the service's own words. The HTTP status follows AWS: client
 * mistakes are 400, authorization 401/403, DryRun's "would have succeeded" 412, throttling and outages
 * 503, server faults 500.
 */
const STATUS_BY_CODE: Record<string, number> = {
  AuthFailure: 401,
  UnauthorizedOperation: 403,
  AccessDenied: 403,
  DryRunOperation: 412,
  RequestLimitExceeded: 503,
  Unavailable: 503,
  ServiceUnavailable: 503,
  InternalError: 500,
  InternalFailure: 500,
  InsufficientInstanceCapacity: 500,
  RequestEntityTooLarge: 413,
};

export class SandboxError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status?: number) {
    super(message);
    this.name = 'SandboxError';
    this.code = code;
    this.status = status ?? STATUS_BY_CODE[code] ?? 400;
  }
}
