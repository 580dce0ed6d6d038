import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lookupMetadata, type MetadataRoute } from './routes';
import type { MetadataSource } from './source';

/** The metadata versions EC2 serves besides `latest` (cloud-init asks for one of these first). */
export const METADATA_VERSIONS = [
  '1.0',
  '2007-01-19',
  '2007-03-01',
  '2008-09-01',
  '2009-04-04',
  '2011-01-01',
  '2012-01-12',
  '2014-02-25',
  '2016-09-02',
  '2018-09-24',
  '2019-10-01',
  '2020-10-27',
  '2021-01-03',
  '2021-03-23',
  '2021-07-15',
  '2022-09-24',
  '2024-04-11',
];
const MAX_TOKEN_TTL_S = 21_600;

export interface ImdsRequestLog {
  method: string;
  path: string;
  status: number;
  /** Whether the request carried a valid session token (IMDSv2). */
  token: boolean;
}

/**
 * IMDSv2 for one VM, on a loopback port the VM reaches at 169.254.169.254:80 through QEMU's guestfwd:
 * `PUT /latest/api/token` with a TTL gives a session token; GETs carry it in `X-aws-ec2-metadata-token`
 * (required when the instance was launched with HttpTokens=required, EC2's default for new AMIs here);
 * a PUT with `X-Forwarded-For` is refused, as EC2 refuses tokens to proxied requests. Every answer closes
 * its connection (the guest's relay needs no half-close).
 */
export class ImdsServer {
  readonly log: ImdsRequestLog[] = [];
  private readonly tokens = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(
    source: () => MetadataSource,
    routes: readonly MetadataRoute[],
    now: () => number = Date.now,
  ): Promise<ImdsServer> {
    const holder: { self?: ImdsServer } = {};
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => holder.self?.handle(req, res, source(), routes, now));
    });
    server.keepAliveTimeout = 1;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    holder.self = new ImdsServer(server, (server.address() as AddressInfo).port);
    return holder.self;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(
    req: IncomingMessage,
    res: ServerResponse,
    source: MetadataSource,
    routes: readonly MetadataRoute[],
    now: () => number,
  ): void {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://169.254.169.254').pathname;
    const given = header(req, 'x-aws-ec2-metadata-token');
    const valid = given !== undefined && (this.tokens.get(given) ?? 0) > now();
    const answer = (status: number, body: string | Buffer = '', extra: Record<string, string> = {}) => {
      this.log.push({ method, path, status, token: valid });
      if (this.log.length > 2_000) this.log.splice(0, this.log.length - 2_000);
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      res.writeHead(status, {
        'content-type': 'text/plain',
        'content-length': String(bytes.length),
        server: 'EC2ws',
        connection: 'close',
        ...extra,
      });
      res.end(bytes);
    };

    if (path === '/latest/api/token') {
      if (method !== 'PUT') return answer(405);
      if (header(req, 'x-forwarded-for') !== undefined) return answer(403);
      const ttl = Number(header(req, 'x-aws-ec2-metadata-token-ttl-seconds'));
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL_S) return answer(400);
      const token = randomBytes(42).toString('base64');
      this.tokens.set(token, now() + ttl * 1000);
      for (const [t, expires] of this.tokens) if (expires <= now()) this.tokens.delete(t);
      return answer(200, token, { 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) });
    }
    if (method !== 'GET' && method !== 'HEAD') return answer(405);
    // A token that is there must be good; none at all is fine only for IMDSv1-permitting instances.
    if (given !== undefined ? !valid : source.httpTokens === 'required') return answer(401);
    if (path === '/') return answer(200, [...METADATA_VERSIONS, 'latest'].join('\n'));
    const [, version = '', ...rest] = path.split('/');
    if (version !== 'latest' && !METADATA_VERSIONS.includes(version)) return answer(404);
    const found = lookupMetadata(routes, source, rest.join('/'));
    if (found.status === 404) return answer(404);
    return answer(200, found.body, { 'content-type': found.contentType });
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
