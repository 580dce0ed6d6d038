import type { IncomingMessage, ServerResponse } from 'node:http';
import { BAKE_ID_PATTERN, type BakeRecord } from '../../../shared/bake';
import { sendJson } from './http-io';
import { DUMMY_SECRET, credentialsOf, sameToken } from './secrets';
import type { WebhookDeps } from './types';

/**
 * GET /bakes/<id>, with the bearer token of the bake's project. A bake that does not exist, or belongs to
 * another project, gets the same 401 as a wrong token: a token for one project reveals nothing about others.
 */
export async function handleBakeStatus(
  deps: WebhookDeps,
  request: IncomingMessage,
  response: ServerResponse,
  bakeId: string,
): Promise<void> {
  const record = BAKE_ID_PATTERN.test(bakeId)
    ? await deps.engine.get(bakeId).catch(() => undefined)
    : undefined;
  const lookup = await deps.state.triggers.lookup(record?.project ?? '');
  const token = credentialsOf(request.headers).bearer ?? '';
  const matches = sameToken(token, lookup.ok ? lookup.secret : DUMMY_SECRET);
  if (!record || !lookup.ok || !matches) {
    sendJson(
      response,
      401,
      { error: 'unauthorized', message: 'Send the bake’s project token as Authorization: Bearer <token>.' },
      { 'www-authenticate': 'Bearer realm="quadraxis"' },
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
