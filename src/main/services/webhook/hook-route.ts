import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Delivery, DeliveryOutcome } from '../../../shared/ipc/webhook.contract';
import type { Project } from '../../../shared/project';
import { isAppError } from '../../../shared/result';
import { DELIVERY_ID_PATTERN, type DeliveryClaim } from './delivery-ids';
import { EVENT_NAME_PATTERN, TRIGGER_EVENT, decide } from './events';
import { header, readBody, refuseBody, sendJson } from './http-io';
import type { RateLimiter } from './rate-limiter';
import { DUMMY_SECRET, authenticate, credentialsOf } from './secrets';
import type { TriggerConfig } from './trigger-store';
import type { WebhookDeps, WebhookLimits } from './types';

export interface HookEnv extends WebhookDeps {
  limits: WebhookLimits;
  limiter: RateLimiter;
  statusUrl(request: IncomingMessage, bakeId: string): string;
  /** Logs a delivery (the time is added) and tells the listeners. */
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

const UNAUTHORIZED: Reply = {
  status: 401,
  body: { error: 'unauthorized', message: 'Missing or invalid X-Hub-Signature-256 or bearer token.' },
  headers: { 'www-authenticate': 'Bearer realm="quadraxis"' },
  outcome: 'unauthorized',
};

/**
 * POST /hooks/<project>. Size first (before any work), then authentication, and only then anything that
 * depends on the project: an unknown project goes through the same steps with a stand-in secret and gets
 * the same 401 as a wrong signature. The bake is started, never awaited: the answer is 202 with its id.
 */
export async function handleHook(
  env: HookEnv,
  request: IncomingMessage,
  response: ServerResponse,
  name: string,
): Promise<void> {
  const rawEvent = header(request, 'x-github-event') ?? TRIGGER_EVENT;
  const event = EVENT_NAME_PATTERN.test(rawEvent) ? rawEvent : 'unknown';
  const rawDelivery = header(request, 'x-github-delivery');
  const delivery =
    rawDelivery !== undefined && DELIVERY_ID_PATTERN.test(rawDelivery) ? rawDelivery : undefined;
  const log = (config: TriggerConfig | undefined, reply: Reply) => {
    // Only projects with webhook settings get a log: a stranger's guesses never create files.
    if (!config?.configured) return;
    env.record(name, {
      event,
      ...(delivery ? { delivery } : {}),
      outcome: reply.outcome,
      status: reply.status,
      ...(reply.bakeId ? { bakeId: reply.bakeId } : {}),
      ...(reply.detail ? { detail: reply.detail.slice(0, 300) } : {}),
    });
  };

  const read = await readBody(request, env.limits.maxBodyBytes);
  if (!read.ok) {
    if (read.reason === 'aborted') return void request.destroy();
    const reply: Reply = {
      status: 413,
      body: { error: 'too-large', message: `The body is over ${env.limits.maxBodyBytes} bytes.` },
      outcome: 'too-large',
    };
    refuseBody(request, response, reply.status, reply.body);
    log(await env.state.triggers.config(name).catch(() => undefined), reply);
    return;
  }
  const body = read.body.toString('utf8');
  const lookup = await env.state.triggers.lookup(name);
  const authentic = await authenticate(
    credentialsOf(request.headers),
    body,
    lookup.ok ? lookup.secret : DUMMY_SECRET,
  );
  const reply =
    lookup.ok && authentic
      ? await authorized(env, request, name, lookup.config, { event, rawEvent, rawDelivery, delivery, body })
      : UNAUTHORIZED;
  sendJson(response, reply.status, reply.body, reply.headers);
  log(lookup.config, reply);
}

interface HookRequest {
  event: string;
  rawEvent: string;
  rawDelivery: string | undefined;
  delivery: string | undefined;
  body: string;
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
  config: TriggerConfig,
  hook: HookRequest,
): Promise<Reply> {
  if (hook.event !== hook.rawEvent) return badRequest('X-GitHub-Event is not an event name.');
  if (hook.rawDelivery !== undefined && hook.delivery === undefined)
    return badRequest('X-GitHub-Delivery is not a delivery id.');
  let payload: unknown;
  if (hook.body.trim().length > 0) {
    const type = header(request, 'content-type') ?? '';
    if (!/^application\/(?:[\w.-]+\+)?json\b/i.test(type)) {
      return badRequest(
        'Send the payload as application/json (in GitHub: Content type application/json).',
        415,
      );
    }
    try {
      payload = JSON.parse(hook.body);
    } catch {
      return badRequest('The body is not valid JSON.');
    }
  }
  const entry = await env.projects.get(name);
  if (!entry) return failed(404, `There is no project named ${name} any more.`);
  const decision = decide(hook.event, payload, entry.project.triggers.branches);
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
      return bake(env, request, {
        name,
        config,
        delivery: hook.delivery,
        project: entry.project,
        detail: decision.detail,
      });
  }
}

interface BakeAsk {
  name: string;
  config: TriggerConfig;
  delivery: string | undefined;
  project: Project;
  /** What asked, for the log: "push to main". */
  detail: string;
}

/** Once per delivery id, within the rate limit, with the project's profile: start, never wait. */
async function bake(env: HookEnv, request: IncomingMessage, ask: BakeAsk): Promise<Reply> {
  const { name, config, delivery, project, detail } = ask;
  let claim: DeliveryClaim | undefined;
  if (delivery) {
    claim = await env.state.deliveryIds.claim(name, delivery);
    if (!claim.claimed) {
      return {
        status: 200,
        body: {
          duplicate: true,
          message: `Delivery ${delivery} was received before.`,
          ...(claim.bakeId ? { bakeId: claim.bakeId } : {}),
        },
        outcome: 'duplicate',
        ...(claim.bakeId ? { bakeId: claim.bakeId } : {}),
      };
    }
  }
  const release = async () => {
    if (claim?.claimed) await claim.release();
  };
  const rate = env.limiter.take(name);
  if (!rate.ok) {
    await release();
    return {
      status: 429,
      body: {
        error: 'rate-limited',
        message: `${name} already baked ${env.limits.perMinute} times in the last minute.`,
      },
      headers: { 'retry-after': String(rate.retryAfterSeconds) },
      outcome: 'rate-limited',
      detail: `retry after ${rate.retryAfterSeconds}s`,
    };
  }
  const profile = config.profile ?? env.defaultProfile();
  if (!profile) {
    env.limiter.giveBack(name);
    await release();
    return failed(
      503,
      `No AWS profile is chosen for webhook bakes of ${name}: pick one in its Triggers panel, or start quadraxis serve with --profile.`,
    );
  }
  try {
    const record = await env.engine.start({
      project,
      profile,
      ...(config.region ? { region: config.region } : {}),
      trigger: 'webhook',
      // A push changes what the script fetches, not the project: an "identical" earlier image is no reason to skip.
      force: true,
      deploy: project.deploy?.afterWebhookBake === true,
    });
    if (claim?.claimed) {
      await claim
        .record(record.id)
        .catch((error: unknown) =>
          env.logger.warn('could not record a delivery id', { error: String(error) }),
        );
    }
    const statusUrl = env.statusUrl(request, record.id);
    return {
      status: 202,
      body: { bakeId: record.id, project: name, status: record.status, statusUrl },
      headers: { location: statusUrl },
      outcome: 'baked',
      bakeId: record.id,
      detail: `${detail}, profile ${profile}`,
    };
  } catch (error) {
    env.limiter.giveBack(name);
    await release();
    const message = error instanceof Error ? error.message : String(error);
    env.logger.warn('webhook bake did not start', { project: name, error: message });
    return failed(startFailureStatus(error), `The bake did not start: ${message}`);
  }
}

function startFailureStatus(error: unknown): number {
  if (!isAppError(error)) return 500;
  if (error.code === 'INVALID_INPUT') return 422;
  if (error.code === 'CONFLICT') return 409;
  if (error.code === 'NOT_FOUND' || error.code === 'INTERNAL' || error.code === 'CORRUPT_DATA') return 500;
  return 503;
}
