import { AppError } from '../../../shared/result';
import { targetContext, toAppError } from '../aws/errors';
import { callAws, type CallScope, type Send } from '../bake/aws-call';
import type { Connection } from '../bake/types';

/**
 * AWS calls on behalf of one deployment: the region's shared limiter (Auto Scaling actions are named
 * `autoscaling:<Action>`), the deployment's signal, a call counter, retries on throttling and outages,
 * and AWS's errors translated into words naming the profile.
 */
export class DeployCalls {
  count = 0;

  constructor(
    private readonly connection: Connection,
    private scope: Omit<CallScope, 'onCall'>,
  ) {}

  /** From now on, calls stop when this signal aborts (the deployment's own, once it runs). */
  useSignal(signal: AbortSignal): void {
    this.scope = { ...this.scope, signal };
  }

  async send<T>(
    action: string,
    send: Send<T>,
    options: { attempts?: number; signal?: AbortSignal } = {},
  ): Promise<T> {
    try {
      return await callAws(
        { ...this.scope, ...(options.signal ? { signal: options.signal } : {}), onCall: () => this.count++ },
        action,
        send,
        options.attempts !== undefined ? { attempts: options.attempts } : {},
      );
    } catch (error) {
      throw this.translate(error);
    }
  }

  connectionClients(): Connection['clients'] {
    return this.connection.clients;
  }

  translate(error: unknown): AppError {
    return toAppError(error, targetContext(this.connection.clients.target));
  }
}

/** AWS's own error code, when the error came from AWS. */
export function awsCode(error: unknown): string | undefined {
  return error instanceof AppError ? error.details?.awsCode : undefined;
}
