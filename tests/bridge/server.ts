import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENT_CHANNELS, INVOKE_CHANNELS, apiPath } from '../../src/shared/channels';
import type { AppContext } from '../../src/main/app/app-context';
import {
  closeAppContext,
  createAppContext,
  type AppContextOptions,
} from '../../src/main/app/create-app-context';
import { assertEveryChannelHandled, dispatch } from '../../src/main/app/dispatch';
import { createHandlers } from '../../src/main/app/handlers';
import { systemClock } from '../../src/main/services/clock';
import { createLogger } from '../../src/main/services/logger';
import { jsonFileSettingsBackend } from '../../src/main/services/settings/json-file-backend';
import { quarantineUnreadableSettings } from '../../src/main/services/settings/settings-service';
import { RENDERER_DIR } from '../helpers/paths';
import { installBridgeClient, type BridgeClientConfig } from './page/bridge-client';

/** Same header the app:// protocol sends (src/main/electron/security.ts is Electron-side, so it is repeated here). */
const CSP =
  readFileSync(join(RENDERER_DIR, 'index.html'), 'utf8').match(/content="(default-src[^"]+)"/)?.[1] ?? '';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
};

export interface Bridge {
  url: string;
  dataDir: string;
  ctx: AppContext;
  logLines: string[];
  /** The script to pass to page.addInitScript. */
  initScript: string;
  close(): Promise<void>;
}

/**
 * The e2e stand-in for Electron's IPC: serves the built renderer on 127.0.0.1 and answers window.quadraxis
 * calls over a WebSocket with the very same handlers and services the app registers (createAppContext +
 * createHandlers + dispatch). Each page connection is one "webContents" to the event hub.
 */
/** Fast enough for a whole bake in a few seconds of real time, slow enough to watch each step happen. */
export const E2E_SANDBOX_TIMINGS = {
  pendingMs: 300,
  bootMs: 300,
  scriptDefaultMs: 600,
  shutdownDelayMs: 100,
  stoppingMs: 300,
  shuttingDownMs: 300,
  imagePendingMs: 600,
};

export interface BridgeOptions {
  dataDir?: string;
  /** Contents of the AWS config and credentials files the app sees (never the machine's own ~/.aws). */
  awsConfig?: string;
  awsCredentials?: string;
  runtime?: AppContextOptions['runtime'];
}

export async function startBridge(options: BridgeOptions = {}): Promise<Bridge> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'qx-e2e-'));
  const awsDir = mkdtempSync(join(tmpdir(), 'qx-e2e-aws-'));
  writeFileSync(join(awsDir, 'config'), options.awsConfig ?? '');
  writeFileSync(join(awsDir, 'credentials'), options.awsCredentials ?? '');
  const logLines: string[] = [];
  const logger = createLogger((line) => logLines.push(line), { level: 'debug' });
  const settingsFile = join(dataDir, 'settings.json');
  const notice = quarantineUnreadableSettings(settingsFile, systemClock);
  const ctx = createAppContext({
    dataDir,
    clock: systemClock,
    logger,
    settingsBackend: jsonFileSettingsBackend(settingsFile),
    startupNotices: notice ? [notice] : [],
    openExternal: () => Promise.resolve(),
    testBridge: true,
    runtime: {
      env: {
        AWS_CONFIG_FILE: join(awsDir, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(awsDir, 'credentials'),
      },
      sandbox: { timings: E2E_SANDBOX_TIMINGS },
      pollIntervalMs: 250,
      ...options.runtime,
    },
  });
  const handlers = createHandlers(ctx);
  assertEveryChannelHandled(handlers);

  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const file = normalize(join(RENDERER_DIR, path === '/' ? 'index.html' : path));
    if (!file.startsWith(RENDERER_DIR + sep) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
    });
    response.end(readFileSync(file));
  });
  const wss = new WebSocketServer({ server, path: '/bridge' });
  let nextConnection = 1;
  wss.on('connection', (socket: WebSocket) => {
    const id = 100_000 + nextConnection++;
    ctx.hub.attach({
      id,
      isDestroyed: () => socket.readyState !== socket.OPEN,
      send: (channel, payload) => socket.send(JSON.stringify({ type: 'event', channel, payload })),
    });
    socket.on('message', (raw) => {
      const message = JSON.parse((raw as Buffer).toString('utf8')) as {
        id: number;
        channel: string;
        request: unknown;
      };
      void dispatch(handlers, message.channel, message.request, { senderId: id }, logger).then((result) => {
        if (socket.readyState === socket.OPEN)
          socket.send(JSON.stringify({ type: 'result', id: message.id, result }));
      });
    });
    socket.on('close', () => ctx.hub.detach(id));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/`;

  const config: BridgeClientConfig = {
    wsUrl: `ws://127.0.0.1:${port}/bridge`,
    invoke: INVOKE_CHANNELS.map((c) => [c, ...apiPath(c, 'invoke')]),
    events: EVENT_CHANNELS.map((c) => [c, ...apiPath(c, 'event')]),
  };
  return {
    url,
    dataDir,
    ctx,
    logLines,
    initScript: `(${installBridgeClient.toString()})(${JSON.stringify(config)});`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await closeAppContext(ctx);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
