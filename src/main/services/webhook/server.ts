import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '../../../shared/result';
import { handleHook, type HookEnv } from './hook-route';
import { sendJson } from './http-io';
import { RateLimiter } from './rate-limiter';
import { handleBakeStatus } from './status-route';
import { DEFAULT_WEBHOOK_LIMITS, type DeliveryListener, type WebhookDeps, type WebhookServer } from './types';

export interface ListenOptions {
  /** Default 127.0.0.1. Anything else lets other machines in: callers must have asked for it explicitly. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The address to reach a listener bound to `host` from this machine. */
export function localUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '') return `http://127.0.0.1:${port}`;
  if (host === '::') return `http://[::1]:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

const HOST_HEADER = /^[A-Za-z0-9.-]{1,253}(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](?::\d{1,5})?$/;

/**
 * The webhook's HTTP listener: POST /hooks/<project>, GET /bakes/<id>, GET /healthz. The same code runs in
 * the app (started by its webhook controller) and in `quadraxis serve`.
 */
export async function startWebhookServer(deps: WebhookDeps, options: ListenOptions): Promise<WebhookServer> {
  const host = options.host ?? '127.0.0.1';
  const limits = { ...DEFAULT_WEBHOOK_LIMITS, ...deps.limits };
  const listeners = new Set<DeliveryListener>();
  let base = '';
  const env: HookEnv = {
    ...deps,
    limits,
    limiter: new RateLimiter(deps.clock, limits.perMinute),
    // The caller reached us through its Host header; a malformed one gets our own address instead.
    statusUrl: (request, bakeId) => {
      const given = request.headers.host;
      return `${given && HOST_HEADER.test(given) ? `http://${given}` : base}/bakes/${bakeId}`;
    },
    record: (project, entry) => {
      const delivery = { at: deps.clock.now(), ...entry };
      deps.logger.info('webhook delivery', { project, ...delivery });
      deps.state.deliveries.append(project, delivery).then(
        () => {
          for (const listener of listeners) listener(project, delivery);
        },
        (error: unknown) =>
          deps.logger.warn('could not log a webhook delivery', { project, error: String(error) }),
      );
    },
  };

  const server = createServer((request, response) => {
    route(env, request, response).catch((error: unknown) => {
      deps.logger.error('webhook request failed', { error });
      sendJson(response, 500, { error: 'internal', message: 'Something went wrong; see the Quadraxis log.' });
    });
  });
  // Slow or silent clients cannot hold connections open for long.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'EADDRINUSE'
          ? 'the port is already in use'
          : error.code === 'EACCES'
            ? 'permission denied'
            : error.code === 'EADDRNOTAVAIL'
              ? 'this computer has no such address'
              : error.message;
      reject(
        new AppError('UNAVAILABLE', `Cannot listen on ${host}:${options.port}: ${reason}.`, {
          errno: error.code ?? '',
        }),
      );
    };
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  base = localUrl(host, port);
  server.on('error', (error) => deps.logger.error('webhook listener error', { error }));

  return {
    url: base,
    host,
    port,
    onDelivery(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(env: HookEnv, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  const method = request.method ?? 'GET';
  if (path === '/healthz') {
    if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(response, 'GET, HEAD');
    return sendJson(response, 200, { status: 'ok' });
  }
  const hook = /^\/hooks\/([^/]+)$/.exec(path);
  if (hook?.[1]) {
    if (method !== 'POST') return methodNotAllowed(response, 'POST');
    return handleHook(env, request, response, decodeSegment(hook[1]));
  }
  const bake = /^\/bakes\/([^/]+)$/.exec(path);
  if (bake?.[1]) {
    if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(response, 'GET, HEAD');
    return handleBakeStatus(env, request, response, decodeSegment(bake[1]));
  }
  sendJson(response, 404, { error: 'not-found', message: 'Try POST /hooks/<project> or GET /bakes/<id>.' });
}

function methodNotAllowed(response: ServerResponse, allow: string): void {
  sendJson(response, 405, { error: 'method-not-allowed', message: `Use ${allow}.` }, { allow });
}

/** A malformed escape becomes a name no project can have, answered like any unknown project. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}
