import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { verify } from '@octokit/webhooks-methods';

/**
 * A project has two independent secrets. The bearer token is what scripts send (`Authorization: Bearer`);
 * only its SHA-256 is stored. The GitHub secret is the HMAC key GitHub signs deliveries with; verifying a
 * signature needs the key itself, so it is kept sealed by the process's SecretBox. Neither can stand in for
 * the other: a token leaked from a CI log cannot sign, and the signing secret is not a token.
 */
export type SecretKind = 'token' | 'github';

/** 256 random bits; the prefix says what a leaked one is, to people and to secret scanners. */
export function generateSecret(kind: SecretKind): string {
  return `${kind === 'token' ? 'qxt' : 'qxg'}_${randomBytes(32).toString('base64url')}`;
}

/**
 * A plain SHA-256 is enough for a 256-bit random token (nothing to brute-force), and a slow hash would
 * hand anyone who can reach the port a way to burn CPU.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant time for any given string, whatever the stored hash is. */
export function tokenMatches(given: string, storedHash: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = Buffer.from(storedHash, 'hex');
  return b.length === a.length && timingSafeEqual(a, b);
}

/** GitHub's X-Hub-Signature-256 over the raw body (as text); an empty body never verifies. */
export async function signatureMatches(secret: string, body: string, signature: string): Promise<boolean> {
  if (body.length === 0) return false;
  return verify(secret, body, signature).catch(() => false);
}

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
    ...(typeof signature === 'string' && signature.length <= 200 ? { signature } : {}),
    ...(bearer && bearer.length <= 200 ? { bearer } : {}),
  };
}
