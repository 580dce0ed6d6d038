import type { CredentialBook, Principal } from '../iam/credentials';
import { SandboxError } from './errors';
import { signatureParts, verifySignature, type SignatureProblem, type SignedRequest } from './sigv4';

export interface CallerScope {
  accessKeyId: string;
  region: string;
  service: string;
  /** Who signed: the account's user, an AssumeRole session, or a builder's instance-role session. */
  principal: Principal;
}

const REGION = /^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d$/;

/** How each protocol family words an authentication failure (EC2, the other Query services, JSON). */
export type AuthDialect = 'ec2' | 'query' | 'json';

const WORDS: Record<
  AuthDialect,
  Record<'malformed' | 'mismatch' | 'expired' | 'token' | 'lapsed', [string, number]>
> = {
  ec2: {
    malformed: ['AuthFailure', 401],
    mismatch: ['AuthFailure', 401],
    expired: ['RequestExpired', 400],
    token: ['AuthFailure', 401],
    lapsed: ['RequestExpired', 400],
  },
  query: {
    malformed: ['IncompleteSignature', 400],
    mismatch: ['SignatureDoesNotMatch', 403],
    expired: ['SignatureDoesNotMatch', 403],
    token: ['InvalidClientTokenId', 403],
    lapsed: ['ExpiredToken', 403],
  },
  json: {
    malformed: ['IncompleteSignatureException', 400],
    mismatch: ['InvalidSignatureException', 400],
    expired: ['InvalidSignatureException', 400],
    token: ['UnrecognizedClientException', 400],
    lapsed: ['ExpiredTokenException', 400],
  },
};

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

function failure(dialect: AuthDialect, kind: keyof (typeof WORDS)['json'], message: string): SandboxError {
  const [code, status] = WORDS[dialect][kind];
  return new SandboxError(code, message, status);
}

function problem(dialect: AuthDialect, found: SignatureProblem): SandboxError {
  if (found.kind === 'mismatch') return failure(dialect, 'mismatch', MISMATCH);
  return failure(dialect, found.kind, found.message);
}

/**
 * Reads who is calling and for which region from SigV4's credential scope
 * (`Credential=AKID/20240101/eu-west-1/ec2/aws4_request`), in the Authorization header or, for presigned
 * requests, the query. An unsigned request is refused as AWS would refuse it. A key the Sandbox issued
 * (the sandbox profile's, an AssumeRole session's, a builder's instance-role session's) must carry a
 * correct signature — verified for real, so a client that signs wrongly fails here as it would on AWS —
 * and a session key its own session token; keys it never issued are taken as the account's user unchecked.
 */
export function authenticate(
  request: SignedRequest,
  book: CredentialBook,
  options: { dialect: AuthDialect; accountId: string; now: number; wallClock: number },
): CallerScope {
  const loose = credentialScope(request);
  if (!loose) {
    throw new SandboxError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
  }
  const { accessKeyId, region, service } = loose;
  if (!REGION.test(region)) {
    throw new SandboxError('AuthFailure', 'AWS was not able to validate the provided access credentials');
  }
  const scope = { accessKeyId, region, service };
  const issued = book.get(accessKeyId);
  if (!issued) {
    // Keys the Sandbox never issued are the account's user, unchecked, as the Sandbox always took them.
    const arn = `arn:aws:iam::${options.accountId}:user/sandbox`;
    return { ...scope, principal: { kind: 'user', arn, verified: false } };
  }
  const parts = signatureParts(request);
  if (parts === undefined) {
    throw new SandboxError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
  }
  if ('kind' in parts) throw problem(options.dialect, parts);
  if (issued.sessionToken !== undefined && parts.sessionToken !== issued.sessionToken) {
    throw failure(options.dialect, 'token', 'The security token included in the request is invalid.');
  }
  if (issued.expiresAt !== undefined && options.now >= issued.expiresAt) {
    throw failure(options.dialect, 'lapsed', 'The security token included in the request is expired');
  }
  const found = verifySignature(request, parts, issued.secretAccessKey, options.wallClock);
  if (found) throw problem(options.dialect, found);
  return { ...scope, principal: issued.principal };
}

/** The credential scope as written (`AKID/date/region/service/aws4_request`), without any verification. */
function credentialScope(
  request: Pick<SignedRequest, 'url' | 'headers'>,
): { accessKeyId: string; region: string; service: string } | undefined {
  const header = request.headers.authorization;
  const authorization = Array.isArray(header) ? header.join(',') : header;
  const query = new URL(request.url, 'http://sandbox').searchParams;
  const credential =
    /Credential=([^,\s]+)/.exec(authorization ?? '')?.[1] ?? query.get('X-Amz-Credential') ?? undefined;
  if (!credential) return undefined;
  const [accessKeyId, , region, service] = credential.split('/');
  if (!accessKeyId || !region || !service) return undefined;
  return { accessKeyId, region, service };
}

/** The credential scope alone (no verification): which service a Query request without a Version means. */
export function signingService(request: Pick<SignedRequest, 'url' | 'headers'>): string | undefined {
  return credentialScope(request)?.service;
}
