import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import type { Delivery } from '../../../src/shared/ipc/webhook.contract';
import type { ProjectInput } from '../../../src/shared/project';
import type { Runtime } from '../../../src/main/runtime/runtime';
import { sandboxRuntime } from '../../helpers/sandbox-runtime';
import { systemClock, type Clock } from '../../../src/main/services/clock';
import { silentLogger } from '../../../src/main/services/logger';
import {
  keyFileBox,
  openWebhookState,
  startWebhookServer,
  type ListenOptions,
  type WebhookLimits,
  type WebhookServer,
  type WebhookState,
} from '../../../src/main/services/webhook';

/** A whole sandbox bake in well under a second of real time. */
export const FAST_TIMINGS = {
  pendingMs: 20,
  bootMs: 20,
  scriptDefaultMs: 40,
  shutdownDelayMs: 10,
  stoppingMs: 20,
  shuttingDownMs: 20,
  imagePendingMs: 40,
};

export function projectInput(name: string, more: Partial<ProjectInput> = {}): ProjectInput {
  return {
    name,
    region: 'eu-west-1',
    baseImage: {
      kind: 'ssm',
      parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    },
    initScript: '#!/bin/sh\necho hello\n',
    // Bakes here finish within a second; the default name ({yyyyMMdd-HHmmss}) would clash between them.
    imageName: '{project}-{bakeId}',
    ...more,
  };
}

export interface WebhookFixture {
  dataDir: string;
  runtime: Runtime;
  state: WebhookState;
  server: WebhookServer;
  url: string;
  /** Every delivery the listener logged, in order. */
  deliveries: Recorder<{ project: string; delivery: Delivery }>;
  close(): Promise<void>;
}

/**
 * A runtime on a temp data directory (its Sandbox in process, fast timings, no AWS config of the machine),
 * webhook state sealed with a key file there, and a listener on a random loopback port.
 */
export async function webhookFixture(
  options: {
    limits?: Partial<WebhookLimits>;
    clock?: Clock;
    dataDir?: string;
    perRegionLimit?: number;
    listen?: Partial<ListenOptions>;
    replayWindowMs?: number;
  } = {},
): Promise<WebhookFixture> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'qx-webhook-')));
  const runtime = sandboxRuntime(dataDir, {
    actor: 'webhook tests',
    seed: 'webhook',
    sandbox: { timings: FAST_TIMINGS },
    pollIntervalMs: 25,
    ...(options.perRegionLimit ? { perRegionLimit: options.perRegionLimit } : {}),
  });
  const clock = options.clock ?? systemClock;
  const state = openWebhookState({
    dataDir,
    box: keyFileBox(join(dataDir, 'webhook', 'secret.key')),
    clock,
    ...(options.replayWindowMs ? { replayWindowMs: options.replayWindowMs } : {}),
  });
  const server = await startWebhookServer(
    {
      state,
      projects: runtime.store.projects,
      bakes: runtime.store.bakes,
      engine: runtime.engine,
      clock,
      logger: silentLogger,
      defaultProfile: () => 'sandbox',
      ...(options.limits ? { limits: options.limits } : {}),
    },
    { port: 0, ...options.listen },
  );
  const fixture: WebhookFixture = {
    dataDir,
    runtime,
    state,
    server,
    url: server.url,
    deliveries: new Recorder(),
    close: async () => {
      await server.close();
      await runtime.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  server.onDelivery((project, delivery) => fixture.deliveries.push({ project, delivery }));
  return fixture;
}

export interface GithubDelivery {
  event?: string;
  delivery?: string;
  payload?: unknown;
  body?: string;
  secret?: string;
  signature?: string;
}

/** POSTs like GitHub does: JSON body, X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256. */
export async function postGithub(url: string, project: string, d: GithubDelivery): Promise<Response> {
  const body = d.body ?? JSON.stringify(d.payload ?? {});
  const signature = d.signature ?? (d.secret ? await sign(d.secret, body) : undefined);
  return fetch(`${url}/hooks/${project}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': d.event ?? 'push',
      ...(d.delivery ? { 'x-github-delivery': d.delivery } : {}),
      ...(signature ? { 'x-hub-signature-256': signature } : {}),
    },
    body,
  });
}

/** Both secrets of a project, made as `quadraxis triggers` makes them. */
export async function secretsOf(
  state: WebhookState,
  project: string,
): Promise<{ token: string; github: string }> {
  return {
    token: await state.triggers.rotate(project, 'token'),
    github: await state.triggers.rotate(project, 'github'),
  };
}

let commits = 0;

/** A GitHub push payload; each call names a new commit unless one is given. */
export function pushPayload(branch: string, defaultBranch = 'main', after?: string): unknown {
  return {
    ref: `refs/heads/${branch}`,
    after: after ?? (++commits).toString(16).padStart(40, 'c'),
    repository: { full_name: 'acme/web', default_branch: defaultBranch },
  };
}

/** `Authorization: Bearer <token>`. */
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** Collects items pushed by a callback and lets a test await the first one that matches. */
export class Recorder<T> {
  readonly items: T[] = [];
  private waiters: { match: (item: T) => boolean; resolve: (item: T) => void }[] = [];

  push = (item: T): void => {
    this.items.push(item);
    for (const waiter of [...this.waiters]) {
      if (!waiter.match(item)) continue;
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve(item);
    }
  };

  /** The first item so far, or from now on, for which `match` holds. */
  first(match: (item: T) => boolean): Promise<T> {
    const seen = this.items.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** The next item from now on for which `match` holds. */
  next(match: (item: T) => boolean): Promise<T> {
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  async count(n: number, match: (item: T) => boolean = () => true): Promise<void> {
    while (this.items.filter(match).length < n) await this.next(match);
  }
}
