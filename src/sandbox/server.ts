import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTROL_PREFIX, handleControl } from './control';
import { ec2ErrorDocument } from './wire/xml';
import type { Simulator } from './simulator';
import type { WireRequest, WireResponse } from './wire/dispatch';

/** Far more than any EC2 call needs (user data is capped at 16 KB raw, ~22 KB base64). */
const MAX_BODY = 1024 * 1024;

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** Serves EC2, STS, SSM, Auto Scaling and the control API on one loopback port. */
export function listen(sim: Simulator, controlToken: string, port: number): Promise<RunningServer> {
  const server = createServer((req, res) => {
    readBody(req).then(
      (body) =>
        send(
          res,
          respond(sim, controlToken, {
            method: req.method ?? 'GET',
            url: req.url ?? '/',
            headers: req.headers,
            body,
          }),
        ),
      () => send(res, xmlError(413, 'RequestEntityTooLarge', `Request body exceeds ${MAX_BODY} bytes`)),
    );
  });
  // Keep-alive sockets must not keep a closing sandbox (or a test run) alive.
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve({ port: (server.address() as AddressInfo).port, close: () => closeServer(server) });
    });
  });
}

function respond(sim: Simulator, controlToken: string, request: WireRequest): WireResponse {
  try {
    return request.url.startsWith(CONTROL_PREFIX)
      ? handleControl(sim, controlToken, request)
      : sim.handle(request);
  } catch (error) {
    // The front doors answer every error themselves; this is the last guard against a hung client.
    return xmlError(
      500,
      'InternalError',
      `An internal error has occurred (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

function xmlError(status: number, code: string, message: string): WireResponse {
  return {
    kind: 'reply',
    status,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: ec2ErrorDocument(code, message, 'none'),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.removeAllListeners('data');
        req.resume();
        reject(new Error('body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: WireResponse): void {
  if (response.kind === 'drop') {
    res.socket?.destroy();
    return;
  }
  const body = Buffer.from(response.body, 'utf8');
  res.writeHead(response.status, { ...response.headers, 'content-length': String(body.length) });
  res.end(body);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
