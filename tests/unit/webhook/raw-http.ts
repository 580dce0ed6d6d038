import { once } from 'node:events';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';

/**
 * HTTP below fetch: a chosen source address on loopback (Linux routes all of 127.0.0.0/8 to `lo`, so
 * 127.0.0.2, .3… act as separate clients), headers sent before a body that may never follow, and sockets
 * that say when the server ended them.
 */
export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export function post(
  url: string,
  options: { from?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: options.headers ?? {},
        ...(options.from ? { localAddress: options.from } : {}),
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A TCP connection that collects what the server sends and records when the server ends it. */
export class RawClient {
  received = '';
  readonly openedAt = performance.now();
  closedAt: number | undefined;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => (this.received += chunk.toString('latin1')));
    // Errors (a reset after the server closed) only end the connection.
    socket.on('error', () => undefined);
    this.closed = once(socket, 'close').then(() => void (this.closedAt = performance.now()));
  }

  static async open(port: number, from = '127.0.0.1'): Promise<RawClient> {
    const socket = connect({ host: '127.0.0.1', port, localAddress: from });
    const client = new RawClient(socket);
    await Promise.race([once(socket, 'connect'), client.closed]);
    return client;
  }

  write(text: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(text);
  }

  /** Resolves once what the server sent matches, or rejects if the connection ends first. */
  async waitFor(pattern: RegExp): Promise<string> {
    for (;;) {
      const match = pattern.exec(this.received);
      if (match) return match[0];
      if (this.closedAt !== undefined)
        throw new Error(`closed without ${pattern}; got ${JSON.stringify(this.received)}`);
      await Promise.race([once(this.socket, 'data'), this.closed]);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The request line and headers of a POST whose body is not sent yet. */
export function postHead(path: string, headers: Record<string, string>): string {
  const lines = [
    `POST ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}
