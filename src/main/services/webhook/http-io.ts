import type { IncomingMessage, ServerResponse } from 'node:http';

export type BodyRead = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

/** The declared Content-Length; undefined when there is none (chunked, or no body). */
export function declaredLength(request: IncomingMessage): number | undefined {
  const value = request.headers['content-length'];
  if (value === undefined) return undefined;
  const length = Number(value);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/** Whether a body follows the headers at all (HTTP/1.1: a non-zero length, or chunked). */
export function hasBody(request: IncomingMessage): boolean {
  const length = declaredLength(request);
  return length !== undefined ? length > 0 : request.headers['transfer-encoding'] !== undefined;
}

/**
 * Reads at most `limit` bytes. A body that grows past it (chunked) is refused as soon as it does, without
 * buffering the rest. Callers have checked a declared length against the limit before calling; with one,
 * the body is copied once into a buffer of that size, so a body never costs twice its size while read.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<BodyRead> {
  const declared = declaredLength(request);
  return new Promise((resolve) => {
    const whole = declared !== undefined ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyRead) => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('aborted', onError);
      if (!result.ok) request.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > (declared ?? limit)) return finish({ ok: false, reason: 'too-large' });
      if (whole) chunk.copy(whole, size);
      else chunks.push(chunk);
      size += chunk.length;
    };
    const onEnd = () => {
      if (whole && size !== whole.length) return finish({ ok: false, reason: 'aborted' });
      finish({ ok: true, body: whole ?? Buffer.concat(chunks) });
    };
    const onError = () => finish({ ok: false, reason: 'aborted' });
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('aborted', onError);
  });
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent) return;
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  response.end(text);
}

/**
 * Answers without reading the body, and closes the connection once the answer is out: reading on would
 * cost what the refusal is there to save. A client that sent `Expect: 100-continue` never got the go-ahead,
 * so it sends nothing more; any other sees the answer and the end of the connection.
 */
export function answerAndClose(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendJson(response, status, body, { ...headers, connection: 'close' });
}

/** A header's single value (Node joins repeated ones, or gives arrays for a few). */
export function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
