import type { IncomingMessage, ServerResponse } from 'node:http';
import { BAKE_ID_PATTERN, type BakeRecord } from '../../../shared/bake';
import { addressKey } from './address';
import { CHALLENGE, type GateEnv } from './hook-gate';
import { answerAndClose, sendJson } from './http-io';
import { credentialsOf } from './secrets';
import type { WebhookDeps } from './types';

/**
 * GET /bakes/<id>, with the bearer token of the bake's project. A bake that does not exist, or belongs to
 * another project, gets the same 401 as a wrong token: a token for one project reveals nothing about others.
 * Failures count against the address like failed hook requests.
 */
export async function handleBakeStatus(
  env: Pick<WebhookDeps, 'engine'> & GateEnv,
  request: IncomingMessage,
  response: ServerResponse,
  bakeId: string,
): Promise<void> {
  const address = addressKey(request.socket.remoteAddress);
  const wait = env.throttle.retryAfter(address);
  if (wait !== undefined) {
    env.refused(undefined, 429, address);
    answerAndClose(
      response,
      429,
      { error: 'too-many-failures', message: 'Too many failed authentications from this address.' },
      { 'retry-after': String(wait) },
    );
    return;
  }
  const token = credentialsOf(request.headers).bearer;
  const record =
    token !== undefined && BAKE_ID_PATTERN.test(bakeId)
      ? await env.engine.get(bakeId).catch(() => undefined)
      : undefined;
  const verifier = await env.triggers.verifier(record?.project ?? '');
  const matches = verifier.checkToken(token ?? '');
  if (!record || !matches) {
    env.throttle.fail(address);
    env.refused(undefined, 401, address);
    answerAndClose(
      response,
      401,
      { error: 'unauthorized', message: 'Send the bake’s project token as Authorization: Bearer <token>.' },
      CHALLENGE,
    );
    return;
  }
  sendJson(response, 200, bakeView(record));
}

/** What a CI script needs to follow a bake; the console and resource details stay in the app. */
export function bakeView(record: BakeRecord): Record<string, unknown> {
  return {
    id: record.id,
    project: record.project,
    ...(record.environment ? { environment: record.environment } : {}),
    status: record.status,
    trigger: record.trigger,
    profile: record.profile,
    region: record.region,
    simulated: record.simulated,
    createdAt: record.createdAt,
    ...(record.startedAt !== undefined ? { startedAt: record.startedAt } : {}),
    ...(record.endedAt !== undefined ? { endedAt: record.endedAt } : {}),
    steps: record.steps.map((s) => ({
      step: s.step,
      status: s.status,
      ...(s.message ? { message: s.message } : {}),
    })),
    ...(record.imageId ? { imageId: record.imageId } : {}),
    ...(record.imageName ? { imageName: record.imageName } : {}),
    ...(record.version !== undefined ? { version: record.version } : {}),
    ...(record.joinedTo ? { joinedTo: record.joinedTo } : {}),
    ...(record.error
      ? { error: { step: record.error.step, code: record.error.code, message: record.error.message } }
      : {}),
    ...(record.message ? { message: record.message } : {}),
  };
}
