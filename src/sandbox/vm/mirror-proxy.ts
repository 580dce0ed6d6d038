import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MirrorHosts } from './options';

/**
 * The one way out for a guest, and only when the Sandbox was started with the mirror opt-in: an HTTP proxy
 * (apt's `Acquire::http::Proxy`, or `http_proxy`) that forwards GET and HEAD for the allowed host names to
 * their origins and refuses everything else — other hosts, other methods, CONNECT (so no HTTPS tunnels).
 */
export class MirrorProxy {
  readonly refused: string[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(hosts: MirrorHosts): Promise<MirrorProxy> {
    const holder: { self?: MirrorProxy } = {};
    const server = createServer((req, res) =>
      forward(req, res, hosts, (why) => holder.self?.refused.push(why)),
    );
    server.on('connect', (req: IncomingMessage, socket) => {
      holder.self?.refused.push(`CONNECT ${req.url ?? ''}`);
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    holder.self = new MirrorProxy(server, (server.address() as AddressInfo).port);
    return holder.self;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  hosts: MirrorHosts,
  refuse: (why: string) => void,
): void {
  const deny = (status: number, why: string) => {
    refuse(why);
    const body = `Quadraxis Sandbox: ${why}\n`;
    res.writeHead(status, {
      'content-type': 'text/plain',
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    });
    res.end(body);
  };
  let target: URL;
  try {
    // Absolute-form (a client using us as its proxy), or origin-form with a Host header.
    target = new URL(req.url ?? '/', `http://${req.headers.host ?? 'invalid'}`);
  } catch {
    return deny(400, `cannot read the request target ${req.url ?? ''}`);
  }
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') return deny(405, `${method} is not allowed (only GET and HEAD)`);
  if (target.protocol !== 'http:') return deny(403, `${target.protocol} is not proxied`);
  const origin = hosts[target.hostname.toLowerCase()];
  if (!origin || (target.port !== '' && target.port !== '80')) {
    return deny(403, `${target.host} is not an allowed mirror (allowed: ${Object.keys(hosts).join(', ')})`);
  }
  const upstream = new URL(target.pathname + target.search, origin);
  const out = request(
    upstream,
    {
      method,
      headers: {
        ...pick(req.headers, [
          'accept',
          'range',
          'if-modified-since',
          'if-range',
          'cache-control',
          'user-agent',
        ]),
        host: upstream.host,
      },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, {
        ...pick(answer.headers, [
          'content-type',
          'content-length',
          'last-modified',
          'etag',
          'content-range',
          'accept-ranges',
          'date',
        ]),
        connection: 'close',
      });
      answer.pipe(res);
    },
  );
  out.on('error', (error) => {
    if (res.headersSent) res.destroy();
    else deny(502, `the mirror ${upstream.host} did not answer: ${error.message}`);
  });
  out.end();
}

function pick(headers: IncomingMessage['headers'], names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}
