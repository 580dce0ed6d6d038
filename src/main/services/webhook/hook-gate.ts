import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BodyBudget } from './body-budget';
import type { FailureThrottle } from './failure-throttle';
import { answerAndClose, declaredLength, hasBody, readBody } from './http-io';
import { credentialsOf } from './secrets';
import type { TriggerConfig, TriggerStore } from './trigger-store';
import type { WebhookLimits } from './types';

export interface GateEnv {
  limits: WebhookLimits;
  triggers: Pick<TriggerStore, 'verifier'>;
  throttle: FailureThrottle;
  budget: BodyBudget;
  /** Counts a refusal (never logs it one by one); `project` when the name has webhook settings. */
  refused(project: string | undefined, status: number, address: string): void;
}

export interface Admitted {
  /** The request's body as text ('' when it has none). */
  body: string;
  /** Whether a GitHub signature vouched for the body (a token vouches for nothing in it). */
  signed: boolean;
  config: TriggerConfig;
}

export const UNAUTHORIZED_BODY = {
  error: 'unauthorized',
  message: 'Missing or invalid X-Hub-Signature-256 or bearer token.',
};
export const CHALLENGE = { 'www-authenticate': 'Bearer realm="quadraxis"' };

/**
 * Everything before a request to `/hooks/<name>` counts as authenticated, cheapest check first, and no
 * byte of a body read until it has to be: an address that failed too often gets 429; no credential header
 * gets 401 at once; a bearer token is checked before the body; a declared size over the limit gets 413; a
 * body beyond the small size is read only within the body budget (else 503), and only then is a
 * signature checked. `Expect:
 * 100-continue` is answered only when the body is wanted. Every refusal closes the connection. Resolves
 * undefined when it answered.
 */
export async function admit(
  env: GateEnv,
  request: IncomingMessage,
  response: ServerResponse,
  name: string,
  address: string,
  expectsContinue: boolean,
): Promise<Admitted | undefined> {
  const { limits } = env;
  // Known once the name is looked up: refusals before that count for the listener only.
  const counted: { project?: string } = {};
  const refuse = (status: number, body: object, headers: Record<string, string> = {}) => {
    env.refused(counted.project, status, address);
    answerAndClose(response, status, body, headers);
    return undefined;
  };
  const unauthorized = () => {
    env.throttle.fail(address);
    return refuse(401, UNAUTHORIZED_BODY, CHALLENGE);
  };

  const wait = env.throttle.retryAfter(address);
  if (wait !== undefined) {
    return refuse(
      429,
      { error: 'too-many-failures', message: 'Too many failed authentications from this address.' },
      { 'retry-after': String(wait) },
    );
  }
  const credentials = credentialsOf(request.headers);
  if (credentials.bearer === undefined && credentials.signature === undefined) return unauthorized();

  const verifier = await env.triggers.verifier(name);
  if (verifier.config?.configured) counted.project = name;
  if (credentials.bearer !== undefined && !verifier.checkToken(credentials.bearer)) return unauthorized();

  const declared = declaredLength(request);
  if (declared !== undefined && declared > limits.maxBodyBytes) return refuse(413, tooLarge(limits));
  let body = '';
  if (hasBody(request)) {
    const size = declared ?? limits.maxBodyBytes;
    const release = size <= limits.smallBodyBytes ? () => undefined : env.budget.take(address, size);
    if (!release) {
      return refuse(
        503,
        { error: 'busy', message: 'Too many request bodies are being read; try again shortly.' },
        { 'retry-after': '1' },
      );
    }
    try {
      if (expectsContinue) response.writeContinue();
      const read = await readBody(request, limits.maxBodyBytes);
      if (!read.ok) {
        if (read.reason === 'aborted') return void request.destroy();
        return refuse(413, tooLarge(limits));
      }
      body = read.body.toString('utf8');
    } finally {
      release();
    }
  }
  if (credentials.signature !== undefined) {
    if (!(await verifier.checkSignature(body, credentials.signature))) return unauthorized();
  }
  // Authenticated by a token or a signature of this project, so it has a trigger file.
  if (!verifier.config) return unauthorized();
  return { body, signed: credentials.signature !== undefined, config: verifier.config };
}

function tooLarge(limits: WebhookLimits): object {
  return { error: 'too-large', message: `The body is over ${limits.maxBodyBytes} bytes.` };
}
