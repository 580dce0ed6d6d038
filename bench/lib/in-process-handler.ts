import type { Simulator } from '../../src/sandbox';

interface SdkRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

function urlOf(request: SdkRequest): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(request.query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value ?? '']) query.append(key, v);
  }
  const search = query.toString();
  return search ? `${request.path}?${search}` : request.path;
}

function bodyOf(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  // A view, not Buffer.from(body): that calls valueOf(), which the SDK's JSON body adapter warns about.
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new Error('the in-process handler takes string or byte bodies only (EC2, STS and SSM send those)');
}

/**
 * An SDK request handler that hands each request to the Sandbox in this process instead of over loopback
 * TCP. The clients still build, sign and parse every request exactly as they would for AWS; only the socket
 * is skipped, which halves the cost of the overhead part (virtual time and call counts do not depend on the
 * transport). The scale part, which reports the process's CPU, keeps real HTTP.
 */
export function inProcessHandler(sim: Simulator) {
  return {
    metadata: { handlerProtocol: 'http/1.1' },
    handle(request: SdkRequest) {
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]),
      );
      const reply = sim.handle({
        method: request.method,
        url: urlOf(request),
        headers,
        body: bodyOf(request.body),
      });
      if (reply.kind === 'drop') {
        return Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      }
      return Promise.resolve({
        response: { statusCode: reply.status, headers: reply.headers, body: Buffer.from(reply.body, 'utf8') },
      });
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => undefined,
  };
}
