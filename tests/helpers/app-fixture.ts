import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppContext } from '../../src/main/app/app-context';
import {
  closeAppContext,
  createAppContext,
  type AppContextOptions,
} from '../../src/main/app/create-app-context';
import { dispatch } from '../../src/main/app/dispatch';
import { createHandlers } from '../../src/main/app/handlers';
import { systemClock, type Clock } from '../../src/main/services/clock';
import { silentLogger } from '../../src/main/services/logger';
import type { EventChannel, InvokeChannel, InvokeRequest, InvokeResponse } from '../../src/shared/contract';
import type { Result } from '../../src/shared/result';

export interface AppFixture {
  ctx: AppContext;
  dataDir: string;
  /** Every event main sent to the one attached "renderer". */
  events: { channel: EventChannel; payload: unknown }[];
  call<C extends InvokeChannel>(channel: C, request: InvokeRequest<C>): Promise<Result<InvokeResponse<C>>>;
  /** The value, or a thrown error naming the code (for calls expected to succeed). */
  value<C extends InvokeChannel>(channel: C, request: InvokeRequest<C>): Promise<InvokeResponse<C>>;
  close(): Promise<void>;
}

export interface AppFixtureOptions {
  /** The contents of the AWS config and credentials files the app sees (empty by default). */
  aws?: { config?: string; credentials?: string };
  clock?: Clock;
  /** Default: no SDK retries and no sandbox throttling, so a failure shows at once. */
  runtime?: AppContextOptions['runtime'];
  /** How often main looks at bakes other processes run (default: the app's 2 s). */
  foreignBakePollMs?: number;
  /** Called as each event goes out, while main is still sending it. */
  onEvent?: (channel: EventChannel, payload: unknown) => void;
}

/**
 * The app's real handlers and services over a temp data directory and isolated AWS config files, called the
 * way the renderer calls them (through dispatch, so requests and responses are parsed by the contract).
 */
export async function openAppFixture(options: AppFixtureOptions = {}): Promise<AppFixture> {
  const dataDir = await mkdtemp(join(tmpdir(), 'qx-app-'));
  const awsDir = await mkdtemp(join(tmpdir(), 'qx-app-aws-'));
  await writeFile(join(awsDir, 'config'), options.aws?.config ?? '');
  await writeFile(join(awsDir, 'credentials'), options.aws?.credentials ?? '');
  let stored: unknown = {};
  const ctx = createAppContext({
    dataDir,
    clock: options.clock ?? systemClock,
    logger: silentLogger,
    settingsBackend: { read: () => stored, write: (settings) => void (stored = settings) },
    openExternal: () => Promise.resolve(),
    ...(options.foreignBakePollMs ? { foreignBakePollMs: options.foreignBakePollMs } : {}),
    runtime: {
      env: {
        AWS_CONFIG_FILE: join(awsDir, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(awsDir, 'credentials'),
      },
      ...(options.runtime ?? {
        clientConfig: { maxAttempts: 1 },
        sandbox: { throttling: false, seed: 'ui-projects' },
      }),
    },
  });
  const handlers = createHandlers(ctx);
  const events: AppFixture['events'] = [];
  ctx.hub.attach({
    id: 1,
    isDestroyed: () => false,
    send: (channel, payload) => {
      events.push({ channel, payload });
      options.onEvent?.(channel, payload);
    },
  });
  ctx.hub.markReady(1);
  const call = (async (channel: InvokeChannel, request: unknown) =>
    dispatch(handlers, channel, request, { senderId: 1 }, silentLogger)) as AppFixture['call'];
  return {
    ctx,
    dataDir,
    events,
    call,
    value: async (channel, request) => {
      const result = await call(channel, request);
      if (!result.ok) throw new Error(`${channel} failed: ${result.error.code} ${result.error.message}`);
      return result.value;
    },
    close: async () => {
      await closeAppContext(ctx);
      await rm(dataDir, { recursive: true, force: true });
      await rm(awsDir, { recursive: true, force: true });
    },
  };
}
