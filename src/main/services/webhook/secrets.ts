import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { verify } from '@octokit/webhooks-methods';

/** 256 random bits; the prefix makes a leaked one easy to recognise in logs and secret scanners. */
export function generateSecret(): string {
  return `qxw_${randomBytes(32).toString('base64url')}`;
}

/** Used when a project has no secret (or does not exist), so the answer takes the same work either way. */
export const DUMMY_SECRET = generateSecret();

export interface Credentials {
  /** X-Hub-Signature-256, as GitHub sends it. */
  signature?: string;
  /** The token from `Authorization: Bearer <token>`. */
  bearer?: string;
}

export function credentialsOf(headers: Record<string, string | string[] | undefined>): Credentials {
  const signature = headers['x-hub-signature-256'];
  const authorization = headers.authorization;
  const bearer =
    typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  return {
    ...(typeof signature === 'string' ? { signature } : {}),
    ...(bearer ? { bearer } : {}),
  };
}

/** Compares hashes, so neither the length nor the content of the token leaks through timing. */
export function sameToken(given: string, secret: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(secret, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * A signature wins over a token when both are sent (GitHub sends only the signature). The body is the raw
 * request body as text; a body that is not UTF-8 fails the check rather than being repaired.
 */
export async function authenticate(credentials: Credentials, body: string, secret: string): Promise<boolean> {
  if (credentials.signature !== undefined) {
    if (body.length === 0) return false;
    return verify(secret, body, credentials.signature).catch(() => false);
  }
  if (credentials.bearer !== undefined) return sameToken(credentials.bearer, secret);
  return false;
}
