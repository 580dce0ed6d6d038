import type { QuadraxisApi } from '../../shared/api';
import type { AppErrorPayload, Result } from '../../shared/result';

/** The only door to main. In Electron the preload provides it; in e2e tests, the test bridge. */
export const api: QuadraxisApi = window.quadraxis;

export class ApiError extends Error {
  constructor(readonly payload: AppErrorPayload) {
    super(payload.message);
    this.name = 'ApiError';
  }
  get code() {
    return this.payload.code;
  }
}

/** Turns a `{ ok, value } | { ok, error }` answer into a value or a thrown ApiError, for react-query-less code. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const result = await call;
  if (!result.ok) throw new ApiError(result.error);
  return result.value;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
