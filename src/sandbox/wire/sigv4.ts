import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * AWS Signature Version 4, verified as AWS verifies it: the canonical request rebuilt from what arrived
 * (method, path, sorted query, the signed headers' values, the payload's hash), the string to sign, the
 * signing key derived from the secret key through date, region and service, and the signature compared.
 * Header signing (`Authorization: AWS4-HMAC-SHA256 …`) and query signing (presigned `X-Amz-Signature`)
 * both. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
export const ALGORITHM = 'AWS4-HMAC-SHA256';

export interface SignedRequest {
  method: string;
  /** Path and query as sent (`/`, `/?Action=…`). */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SignatureParts {
  accessKeyId: string;
  /** `20240101` */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  /** `20240101T120000Z`, from X-Amz-Date (or Date). */
  amzDate: string;
  /** How the request was signed: in the Authorization header or in its query (presigned). */
  form: 'header' | 'query';
  /** The session token the request carries, signed or not. */
  sessionToken?: string;
}

/** Why a request's signature does not hold, in AWS's terms (each protocol words it its own way). */
export type SignatureProblem =
  { kind: 'malformed'; message: string } | { kind: 'mismatch' } | { kind: 'expired'; message: string };

const RFC3986 = /[!'()*]/g;

/** URI encoding as SigV4 wants it: every byte but A-Z a-z 0-9 - _ . ~ percent-encoded, upper-case hex. */
export function uriEncode(text: string, keepSlash = false): string {
  const encoded = encodeURIComponent(text).replace(
    RFC3986,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return keepSlash ? encoded.replace(/%2F/g, '/') : encoded;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : value;
}

/** The signature's parts, from the Authorization header or the query; undefined when the request is unsigned. */
export function signatureParts(
  request: Pick<SignedRequest, 'url' | 'headers'>,
): SignatureParts | SignatureProblem | undefined {
  const url = new URL(request.url, 'http://sandbox');
  const authorization = headerValue(request.headers, 'authorization');
  if (authorization !== undefined) {
    const match =
      /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)\s*$/.exec(
        authorization,
      );
    if (!match)
      return {
        kind: 'malformed',
        message: `Authorization header requires ${ALGORITHM} with Credential, SignedHeaders and Signature.`,
      };
    const amzDate = headerValue(request.headers, 'x-amz-date') ?? dateHeaderAsAmz(request.headers);
    const token = headerValue(request.headers, 'x-amz-security-token');
    return parts(match[1]!, match[2]!, match[3]!, amzDate, 'header', token);
  }
  const signature = url.searchParams.get('X-Amz-Signature');
  if (signature === null) return undefined;
  if (url.searchParams.get('X-Amz-Algorithm') !== ALGORITHM)
    return { kind: 'malformed', message: `X-Amz-Algorithm must be ${ALGORITHM}.` };
  const token = url.searchParams.get('X-Amz-Security-Token') ?? undefined;
  return parts(
    url.searchParams.get('X-Amz-Credential') ?? '',
    url.searchParams.get('X-Amz-SignedHeaders') ?? '',
    signature,
    url.searchParams.get('X-Amz-Date') ?? undefined,
    'query',
    token,
  );
}

function parts(
  credential: string,
  signedHeaders: string,
  signature: string,
  amzDate: string | undefined,
  form: 'header' | 'query',
  sessionToken: string | undefined,
): SignatureParts | SignatureProblem {
  const [accessKeyId, date, region, service, terminator] = credential.split('/');
  if (!accessKeyId || !date || !region || !service || terminator !== 'aws4_request')
    return { kind: 'malformed', message: `Credential should be scoped correctly: ${credential}` };
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate))
    return { kind: 'malformed', message: 'Authorization requires X-Amz-Date (yyyyMMddTHHmmssZ).' };
  if (amzDate.slice(0, 8) !== date)
    return {
      kind: 'malformed',
      message: `Credential should be scoped to a valid date, not ${date} (the request is dated ${amzDate.slice(0, 8)}).`,
    };
  const headers = signedHeaders.split(';');
  if (!headers.includes('host')) return { kind: 'malformed', message: "'Host' must be a signed header." };
  return {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders: headers,
    signature,
    amzDate,
    form,
    ...(sessionToken !== undefined ? { sessionToken } : {}),
  };
}

function dateHeaderAsAmz(headers: IncomingHttpHeaders): string | undefined {
  const date = headerValue(headers, 'date');
  const ms = date ? Date.parse(date) : Number.NaN;
  return Number.isNaN(ms) ? undefined : amzDateOf(ms);
}

export function amzDateOf(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** The canonical request SigV4 signs, rebuilt from the request as it arrived. */
export function canonicalRequest(request: SignedRequest, signed: SignatureParts): string {
  const url = new URL(request.url, 'http://sandbox');
  const path = canonicalPath(request.url.split('?')[0] ?? '/');
  const query = [...url.searchParams]
    .filter(([key]) => !(signed.form === 'query' && key === 'X-Amz-Signature'))
    .map(([key, value]) => [uriEncode(key), uriEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const headers = signed.signedHeaders
    .map((name) => `${name}:${(headerValue(request.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const declared = headerValue(request.headers, 'x-amz-content-sha256');
  const payload =
    declared ??
    (signed.form === 'query' && request.body.length === 0 ? sha256Hex('') : sha256Hex(request.body));
  return [request.method, path, query, headers, signed.signedHeaders.join(';'), payload].join('\n');
}

/**
 * The path as non-S3 services sign it: dot segments resolved, then every segment encoded once more (the
 * path on the wire is already encoded; SigV4 encodes it again).
 */
function canonicalPath(raw: string): string {
  const segments: string[] = [];
  for (const segment of raw.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = raw.endsWith('/') && segments.length > 0 ? '/' : '';
  return `/${segments.map((s) => uriEncode(s)).join('/')}${trailing}`;
}

export function stringToSign(signed: SignatureParts, canonical: string): string {
  const scope = `${signed.date}/${signed.region}/${signed.service}/aws4_request`;
  return [ALGORITHM, signed.amzDate, scope, sha256Hex(canonical)].join('\n');
}

export function signatureFor(secret: string, signed: SignatureParts, canonical: string): string {
  const key = signingKey(secret, signed.date, signed.region, signed.service);
  return createHmac('sha256', key).update(stringToSign(signed, canonical), 'utf8').digest('hex');
}

/** How far a request's date may be from the Sandbox's own wall clock, as AWS allows. */
export const MAX_SKEW_MS = 15 * 60_000;

/**
 * Checks a signature against the secret key the Sandbox issued for its access key. `wallClock` is the real
 * time: signers sign with their machine's clock, whatever the Sandbox's simulated time says.
 */
export function verifySignature(
  request: SignedRequest,
  signed: SignatureParts,
  secret: string,
  wallClock: number,
): SignatureProblem | undefined {
  const at = Date.parse(
    `${signed.amzDate.slice(0, 4)}-${signed.amzDate.slice(4, 6)}-${signed.amzDate.slice(6, 8)}T${signed.amzDate.slice(9, 11)}:${signed.amzDate.slice(11, 13)}:${signed.amzDate.slice(13, 15)}Z`,
  );
  if (Number.isNaN(at)) return { kind: 'malformed', message: `Invalid X-Amz-Date ${signed.amzDate}.` };
  if (signed.form === 'header' && Math.abs(wallClock - at) > MAX_SKEW_MS) {
    return {
      kind: 'expired',
      message: `Signature expired: ${signed.amzDate} is now earlier than ${amzDateOf(wallClock - MAX_SKEW_MS)} (${amzDateOf(wallClock)} - 15 min.)`,
    };
  }
  const expected = Buffer.from(signatureFor(secret, signed, canonicalRequest(request, signed)), 'utf8');
  const given = Buffer.from(signed.signature, 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { kind: 'mismatch' };
  return undefined;
}
