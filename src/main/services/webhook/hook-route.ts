import type { IncomingMessage, ServerResponse } from 'node:http';
import { environmentForBranch } from '../../../shared/environments';
import type { Delivery, DeliveryOutcome } from '../../../shared/ipc/webhook.contract';
import { isAppError } from '../../../shared/result';
import { addressKey } from './address';
import { EVENT_NAME_PATTERN, TRIGGER_EVENT, decide } from './events';
import { fingerprintOf } from './fingerprint';
import { admit, type Admitted, type GateEnv } from './hook-gate';
import { header, sendJson } from './http-io';
import type { TriggerConfig } from './trigger-store';
import type { WebhookDeps } from './types';
import type { BakeOutcome, WebhookBakes } from './webhook-bakes';

/** X-GitHub-Delivery as GitHub sends it (a GUID); logged, never trusted: the signature does not cover it. */
const DELIVERY_ID_PATTERN = /^[A-Za-z0-9-]{1,100}$/;

export interface HookEnv extends Omit<WebhookDeps, 'limits'>, GateEnv {
  queue: WebhookBakes;
  /** Where the world reaches the listener: the configured public URL, never the request's Host. */
  publicUrl: string;
  /** Logs an authenticated delivery (the time is added) and tells the listeners. */
  record(project: string, entry: Omit<Delivery, 'at'>): void;
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  outcome: DeliveryOutcome;
  detail?: string;
  bakeId?: string;
}

/**
 * POST /hooks/<project>. The gate (hook-gate.ts) answers whatever is not authenticated, counting it;
 * what passes is decided from its event and payload, and a bake is started, joined or recognised as a
 * repeat — never awaited: the answer is 202 with the bake's id. Authenticated deliveries are logged.
 */
export async function handleHook(
  env: HookEnv,
  request: IncomingMessage,
  response: ServerResponse,
  name: string,
  expectsContinue: boolean,
): Promise<void> {
  const address = addressKey(request.socket.remoteAddress);
  const admitted = await admit(env, request, response, name, address, expectsContinue);
  if (!admitted) return;
  const rawEvent = header(request, 'x-github-event') ?? TRIGGER_EVENT;
  const event = EVENT_NAME_PATTERN.test(rawEvent) ? rawEvent : 'unknown';
  const rawDelivery = header(request, 'x-github-delivery');
  const delivery =
    rawDelivery !== undefined && DELIVERY_ID_PATTERN.test(rawDelivery) ? rawDelivery : undefined;
  const reply =
    event !== rawEvent
      ? badRequest('X-GitHub-Event is not an event name.')
      : rawDelivery !== undefined && delivery === undefined
        ? badRequest('X-GitHub-Delivery is not a delivery id.')
        : await authorized(env, request, name, admitted, event);
  sendJson(response, reply.status, reply.body, reply.headers);
  env.record(name, {
    event,
    ...(delivery ? { delivery } : {}),
    outcome: reply.outcome,
    status: reply.status,
    ...(reply.bakeId ? { bakeId: reply.bakeId } : {}),
    ...(reply.detail ? { detail: reply.detail.slice(0, 300) } : {}),
  });
}

function badRequest(message: string, status = 400): Reply {
  return { status, body: { error: 'bad-request', message }, outcome: 'bad-request', detail: message };
}

function failed(status: number, message: string): Reply {
  return { status, body: { error: 'not-started', message }, outcome: 'failed', detail: message };
}

async function authorized(
  env: HookEnv,
  request: IncomingMessage,
  name: string,
  admitted: Admitted,
  event: string,
): Promise<Reply> {
  let payload: unknown;
  if (admitted.body.trim().length > 0) {
    const type = header(request, 'content-type') ?? '';
    if (!/^application\/(?:[\w.-]+\+)?json\b/i.test(type)) {
      return badRequest(
        'Send the payload as application/json (in GitHub: Content type application/json).',
        415,
      );
    }
    try {
      payload = JSON.parse(admitted.body);
    } catch {
      return badRequest('The body is not valid JSON.');
    }
  }
  const entry = await env.projects.get(name);
  if (!entry) return failed(404, `There is no project named ${name} any more.`);
  const decision = decide(event, payload, entry.project.triggers.branches);
  switch (decision.action) {
    case 'ping':
      return { status: 200, body: { message: 'pong', project: name }, outcome: 'ping' };
    case 'ignore':
      return {
        status: 200,
        body: { ignored: true, reason: decision.reason },
        outcome: 'ignored',
        detail: decision.reason,
      };
    case 'invalid':
      return badRequest(decision.reason);
    case 'bake':
      break;
  }
  const config: TriggerConfig = admitted.config;
  const profile = config.profile ?? env.defaultProfile();
  if (!profile) {
    return failed(
      503,
      `No AWS profile is chosen for webhook bakes of ${name}: pick one in its Triggers panel, or start quadraxis serve with --profile.`,
    );
  }
  const fingerprint = fingerprintOf({
    signed: admitted.signed,
    body: admitted.body,
    ref: decision.ref,
    commit: decision.commit,
  });
  const branch = decision.ref?.startsWith('refs/heads/')
    ? decision.ref.slice('refs/heads/'.length)
    : undefined;
  const environment = environmentForBranch(entry.project, branch);
  let outcome: BakeOutcome;
  try {
    outcome = await env.queue.request({
      project: entry.project,
      profile,
      ...(environment ? { environment } : {}),
      ...(config.region ? { region: config.region } : {}),
      ...(fingerprint ? { fingerprint } : {}),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    env.logger.warn('webhook bake did not start', { project: name, error: message });
    return failed(startFailureStatus(error), `The bake did not start: ${message}`);
  }
  return answer(
    env,
    name,
    outcome,
    `${decision.detail}${environment ? `, environment ${environment}` : ''}, profile ${profile}`,
    environment,
  );
}

/** `environment`: the one the pushed branch mapped to; a joined bake is of it too (each queues on its own). */
function answer(
  env: HookEnv,
  name: string,
  outcome: BakeOutcome,
  detail: string,
  environment: string | undefined,
): Reply {
  const named = environment ? { environment } : {};
  const statusUrl = (bakeId: string) => `${env.publicUrl}/bakes/${bakeId}`;
  switch (outcome.kind) {
    case 'rate-limited':
      return {
        status: 429,
        body: {
          error: 'rate-limited',
          message: `${name} already started ${env.limits.perMinute} webhook bakes in the last minute.`,
        },
        headers: { 'retry-after': String(outcome.retryAfterSeconds) },
        outcome: 'rate-limited',
        detail: `retry after ${outcome.retryAfterSeconds}s`,
      };
    case 'repeat':
      return {
        status: 200,
        body: {
          duplicate: true,
          bakeId: outcome.bakeId,
          statusUrl: statusUrl(outcome.bakeId),
          message: `This request was received before; it got bake ${outcome.bakeId}.`,
        },
        outcome: 'duplicate',
        bakeId: outcome.bakeId,
      };
    case 'joined':
      return {
        status: 202,
        body: {
          bakeId: outcome.bakeId,
          project: name,
          ...named,
          joined: true,
          status: 'queued',
          statusUrl: statusUrl(outcome.bakeId),
          message: `Joined ${outcome.bakeId}, queued behind the running bake: it bakes the newest sources.`,
        },
        headers: { location: statusUrl(outcome.bakeId) },
        outcome: 'joined',
        bakeId: outcome.bakeId,
        detail,
      };
    case 'started': {
      const { record, behind } = outcome;
      return {
        status: 202,
        body: {
          bakeId: record.id,
          project: name,
          ...(record.environment ? { environment: record.environment } : {}),
          status: record.status,
          statusUrl: statusUrl(record.id),
          ...(behind ? { queuedBehind: behind } : {}),
        },
        headers: { location: statusUrl(record.id) },
        outcome: 'baked',
        bakeId: record.id,
        detail: behind ? `${detail}, queued behind ${behind}` : detail,
      };
    }
  }
}

function startFailureStatus(error: unknown): number {
  if (!isAppError(error)) return 500;
  if (error.code === 'INVALID_INPUT') return 422;
  if (error.code === 'CONFLICT') return 409;
  if (error.code === 'NOT_FOUND' || error.code === 'INTERNAL' || error.code === 'CORRUPT_DATA') return 500;
  return 503;
}
