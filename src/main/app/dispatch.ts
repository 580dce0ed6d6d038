import type { z } from 'zod';
import {
  invokeContract,
  type InvokeChannel,
  type InvokeResponse,
  type ParsedRequest,
} from '../../shared/contract';
import { AppError, describeZodError, type Result } from '../../shared/result';
import type { Logger } from '../services/logger';

/** Who is calling: the Electron shell passes the webContents id, the test bridge its connection id. */
export interface CallContext {
  senderId: number;
}

export type Handler<C extends InvokeChannel> = (
  request: ParsedRequest<C>,
  context: CallContext,
) => Promise<InvokeResponse<C>> | InvokeResponse<C>;

export type Handlers = { [C in InvokeChannel]: Handler<C> };

export function isInvokeChannel(channel: string): channel is InvokeChannel {
  return Object.hasOwn(invokeContract, channel);
}

/**
 * The Handlers type already makes a forgotten channel a compile error; this makes it a boot failure too, so a
 * build that slipped past the type checker (or a handler object assembled at runtime) cannot start half-wired
 * and answer some of the renderer's calls with nothing.
 */
export function assertEveryChannelHandled(handlers: Partial<Record<string, unknown>>): void {
  const missing = Object.keys(invokeContract).filter((channel) => typeof handlers[channel] !== 'function');
  if (missing.length > 0) throw new Error(`No IPC handler for ${missing.join(', ')}.`);
}

/**
 * Parse, call, parse again, wrap. Every handler receives a validated request, and whatever it returns is
 * parsed with the response schema before it leaves main: unknown fields are stripped, so a secret that a
 * service put on an object by mistake cannot reach the renderer.
 */
export async function dispatch(
  handlers: Handlers,
  channel: string,
  raw: unknown,
  context: CallContext,
  logger: Logger,
): Promise<Result<unknown>> {
  if (!isInvokeChannel(channel)) {
    return { ok: false, error: { code: 'INVALID_INPUT', message: `Unknown channel ${channel}.` } };
  }
  const entry = invokeContract[channel];
  const request = (entry.request as z.ZodType).safeParse(raw);
  if (!request.success) {
    return { ok: false, error: { code: 'INVALID_INPUT', message: describeZodError(request.error) } };
  }
  try {
    const handler = handlers[channel] as (request: unknown, context: CallContext) => unknown;
    const value = await handler(request.data, context);
    const response = (entry.response as z.ZodType).safeParse(value);
    if (!response.success) {
      logger.error('handler response does not match the contract', {
        channel,
        problem: describeZodError(response.error),
      });
      return { ok: false, error: { code: 'INTERNAL', message: `${channel} produced an invalid response.` } };
    }
    return { ok: true, value: response.data };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: error.toPayload() };
    logger.error('handler failed', { channel, error });
    return {
      ok: false,
      error: { code: 'INTERNAL', message: error instanceof Error ? error.message : 'Unexpected error.' },
    };
  }
}
