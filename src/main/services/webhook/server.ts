import { createServer, type IncomingMessage, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { AppError } from '../../../shared/result';
import { BodyBudget } from './body-budget';
import { guardConnections } from './connection-guard';
import { FailureThrottle } from './failure-throttle';
import { handleHook, type HookEnv } from './hook-route';
import { answerAndClose, hasBody, sendJson } from './http-io';
import { RateLimiter } from './rate-limiter';
import { RefusalCounter } from './refusal-counter';
import { handleBakeStatus } from './status-route';
import { readTls, reloadTlsOnChange, type TlsFiles } from './tls';
import {
  DEFAULT_WEBHOOK_LIMITS,
  type DeliveryListener,
  type WebhookDeps,
  type WebhookLimits,
  type WebhookServer,
} from './types';
import { WebhookBakes } from './webhook-bakes';

export interface ListenOptions {
  /** Default 127.0.0.1. Anything else lets other machines in: callers must have asked for it explicitly. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** Serve HTTPS with this certificate and key. */
  tls?: TlsFiles;
  /** Plain HTTP beyond loopback, for a listener that only a TLS proxy in front of it can reach. */
  insecure?: boolean;
  /** Where the world reaches the listener (a proxy's https://… address): each 202's Location uses it. */
  publicUrl?: string;
  /** How often the TLS files are looked at for a renewed certificate. Default a minute. */
  tlsReloadCheckMs?: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The address to reach a listener bound to `host` from this machine. */
export function localUrl(host: string, port: number, tls = false): string {
  const scheme = tls ? 'https' : 'http';
  if (host === '0.0.0.0' || host === '') return `${scheme}://127.0.0.1:${port}`;
  if (host === '::') return `${scheme}://[::1]:${port}`;
  return host.includes(':') ? `${scheme}://[${host}]:${port}` : `${scheme}://${host}:${port}`;
}

/**
 * Tokens and payloads cross the network in the clear over plain HTTP: beyond this computer that needs TLS
 * here, or a TLS proxy in front and an explicit `insecure`.
 */
export function exposureProblem(
  host: string,
  options: { tls?: unknown; insecure?: boolean },
): string | undefined {
  if (isLoopbackHost(host) || options.tls || options.insecure) return undefined;
  return `Listening on ${host} over plain HTTP would send tokens and payloads across the network in the clear. Give a TLS certificate and key, or allow plain HTTP only when a TLS proxy in front of the listener is the only way to reach it.`;
}

/**
 * The webhook's listener: POST /hooks/<project>, GET /bakes/<id>, GET /healthz. The same code runs in the
 * app (started by its webhook controller) and in `quadraxis serve`. Limits (types.ts) apply before any
 * authentication: connections in all and per address, prompt header and request timeouts, failed
 * authentications per address, and a budget for bodies being read.
 */
export async function startWebhookServer(deps: WebhookDeps, options: ListenOptions): Promise<WebhookServer> {
  const host = options.host ?? '127.0.0.1';
  const problem = exposureProblem(host, options);
  if (problem) throw new AppError('INVALID_INPUT', problem);
  const limits: WebhookLimits = { ...DEFAULT_WEBHOOK_LIMITS, ...deps.limits };
  const tls = options.tls ? await readTls(options.tls) : undefined;
  const listeners = new Set<DeliveryListener>();
  const refusals = new RefusalCounter({
    paths: deps.state.paths,
    clock: deps.clock,
    logger: deps.logger,
    storeLogger: { warn: (message) => deps.logger.warn(message) },
  });
  let refused = 0;
  const env: HookEnv = {
    ...deps,
    limits,
    triggers: deps.state.triggers,
    throttle: new FailureThrottle(deps.clock, limits.failedAuthBurst, limits.failedAuthRefillMs),
    budget: new BodyBudget(limits.bodyBudgetBytes, limits.bodyBudgetPerAddressBytes),
    queue: new WebhookBakes({
      engine: deps.engine,
      bakes: deps.bakes,
      paths: deps.state.paths,
      logger: { warn: (message) => deps.logger.warn(message) },
      limiter: new RateLimiter(deps.clock, limits.perMinute),
      replays: deps.state.replays,
    }),
    publicUrl: '',
    refused: (project, status, address) => {
      refused++;
      refusals.count(project, status, address);
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

  const serverOptions: ServerOptions = {
    // Node checks the two timeouts every 30 s by default: a slow client would linger that long past them.
    connectionsCheckingInterval: limits.timeoutCheckMs,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  };
  const server = tls
    ? createHttpsServer({ ...serverOptions, ...tls, handshakeTimeout: limits.tlsHandshakeTimeoutMs })
    : createServer(serverOptions);
  server.maxConnections = limits.maxConnections;
  // Backstop for a connection that goes silent in the middle of anything else.
  server.timeout = limits.requestTimeoutMs;
  const connections = guardConnections(server, limits.maxConnectionsPerAddress, !tls);
  const serve = (expectsContinue: boolean) => (request: IncomingMessage, response: ServerResponse) => {
    route(env, request, response, expectsContinue).catch((error: unknown) => {
      deps.logger.error('webhook request failed', { error });
      answerAndClose(response, 500, {
        error: 'internal',
        message: 'Something went wrong; see the Quadraxis log.',
      });
    });
  };
  server.on('request', serve(false));
  // Without this Node says "100 Continue" to everyone, and the client sends its body before any check.
  server.on('checkContinue', serve(true));

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
  }).catch(async (error: unknown) => {
    await refusals.close();
    throw error;
  });
  const port = (server.address() as AddressInfo).port;
  const base = localUrl(host, port, tls !== undefined);
  env.publicUrl = options.publicUrl ? options.publicUrl.replace(/\/+$/, '') : base;
  server.on('error', (error) => deps.logger.error('webhook listener error', { error }));
  const stopReloading =
    tls && options.tls && 'setSecureContext' in server
      ? reloadTlsOnChange(server, options.tls, options.tlsReloadCheckMs ?? 60_000, deps.logger)
      : () => undefined;

  return {
    url: base,
    publicUrl: env.publicUrl,
    host,
    port,
    tls: tls !== undefined,
    onDelivery(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    metrics() {
      const stats = connections.stats();
      return {
        openConnections: stats.open,
        acceptedConnections: stats.accepted,
        droppedConnections: stats.dropped,
        bytesReceived: stats.bytesReceived,
        refused,
      };
    },
    async close() {
      stopReloading();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await refusals.close();
    },
  };
}

async function route(
  env: HookEnv,
  request: IncomingMessage,
  response: ServerResponse,
  expectsContinue: boolean,
): Promise<void> {
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  const method = request.method ?? 'GET';
  // Routes other than the hook never read a body: one sent anyway ends the connection with the answer.
  const reply = hasBody(request) ? answerAndClose : sendJson;
  const hook = /^\/hooks\/([^/]+)$/.exec(path);
  if (hook?.[1]) {
    if (method !== 'POST') return methodNotAllowed(reply, response, 'POST');
    return handleHook(env, request, response, decodeSegment(hook[1]), expectsContinue);
  }
  if (path === '/healthz') {
    if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(reply, response, 'GET, HEAD');
    return reply(response, 200, { status: 'ok' });
  }
  const bake = /^\/bakes\/([^/]+)$/.exec(path);
  if (bake?.[1]) {
    if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(reply, response, 'GET, HEAD');
    return handleBakeStatus(env, request, response, decodeSegment(bake[1]));
  }
  reply(response, 404, { error: 'not-found', message: 'Try POST /hooks/<project> or GET /bakes/<id>.' });
}

function methodNotAllowed(reply: typeof sendJson, response: ServerResponse, allow: string): void {
  reply(response, 405, { error: 'method-not-allowed', message: `Use ${allow}.` }, { allow });
}

/** A malformed escape becomes a name no project can have, answered like any unknown project. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}
