import { randomUUID } from 'node:crypto';
import { AppError } from '../../shared/result';

export interface MfaRequest {
  requestId: string;
  profile: string;
  mfaSerial: string;
}

type Waiting = { resolve: (code: string) => void; reject: (e: Error) => void };

/** A code is valid for 30 s; a prompt nobody answers in five minutes is not going to be answered. */
const ANSWER_TIMEOUT_MS = 5 * 60_000;

/**
 * Carries an MFA prompt from the credential provider (deep in main) to the renderer's dialog and the code
 * back. Only the request (profile, device ARN) crosses to the renderer; the code goes one way, into the
 * provider, and is never stored or logged. A prompt left unanswered (no window, dialog ignored) fails after
 * a timeout instead of holding a bake or a webhook request forever.
 */
export class MfaBroker {
  private readonly pending = new Map<string, Waiting>();
  private readonly listeners = new Set<(request: MfaRequest) => void>();

  constructor(private readonly timeoutMs = ANSWER_TIMEOUT_MS) {}

  readonly ask = (mfaSerial: string, profile: string): Promise<string> => {
    if (this.listeners.size === 0) {
      return Promise.reject(
        new AppError(
          'MFA_REQUIRED',
          `Profile "${profile}" needs an MFA code and no window is open to ask for it.`,
        ),
      );
    }
    const requestId = randomUUID();
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new AppError('MFA_REQUIRED', `No MFA code was entered for profile "${profile}"; try again.`));
      }, this.timeoutMs);
      timer.unref();
      this.pending.set(requestId, {
        resolve: (code) => {
          clearTimeout(timer);
          resolve(code);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      for (const listener of this.listeners) listener({ requestId, profile, mfaSerial });
    });
  };

  /** `code: null` means the person cancelled the dialog. Returns false for an unknown or settled request. */
  answer(requestId: string, code: string | null): boolean {
    const waiting = this.pending.get(requestId);
    if (!waiting) return false;
    this.pending.delete(requestId);
    if (code === null) waiting.reject(new AppError('CANCELLED', 'MFA code entry was cancelled.'));
    else waiting.resolve(code);
    return true;
  }

  onRequest(listener: (request: MfaRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
