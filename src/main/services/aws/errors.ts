import { AppError } from '../../../shared/result';
import type { ProfileKind } from '../../../shared/aws';

/** Who was calling, so a message can say which profile and what to run to fix it. */
export interface ErrorContext {
  profile: string;
  kind: ProfileKind;
  /** The IAM action being called, e.g. ec2:RunInstances; filled in by the clients' middleware when absent. */
  action?: string;
  simulated?: boolean;
}

export function targetContext(target: Pick<ErrorContext, 'profile' | 'kind' | 'simulated'>): ErrorContext {
  return { profile: target.profile, kind: target.kind, simulated: target.simulated ?? false };
}

const ACTION = Symbol('quadraxis.awsAction');

/** Remembers which API call an error came from (set by the middleware createAwsClients installs). */
export function tagErrorAction(error: unknown, action: string): void {
  if (typeof error === 'object' && error !== null && !(error instanceof AppError) && !(ACTION in error)) {
    Object.defineProperty(error, ACTION, { value: action, enumerable: false });
  }
}

function actionOf(error: object, context: ErrorContext): string | undefined {
  return (ACTION in error ? (error as { [ACTION]: string })[ACTION] : undefined) ?? context.action;
}

const DENIED = new Set([
  'UnauthorizedOperation',
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
]);
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);
const REJECTED = new Set([
  'AuthFailure',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'InvalidToken',
  'IncompleteSignature',
]);
const NETWORK = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'ECONNRESET',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EPIPE',
]);

export function ssoLoginCommand(profile: string): string {
  return `aws sso login --profile ${profile}`;
}

/**
 * Turns anything an SDK call threw into an AppError a person can act on. AppErrors pass through unchanged,
 * so layers can translate early (the credential provider does) without being overwritten later.
 */
export function toAppError(error: unknown, context: ErrorContext): AppError {
  if (error instanceof AppError) return error;
  if (typeof error !== 'object' || error === null) {
    return new AppError('INTERNAL', `Unexpected error: ${String(error)}`);
  }
  const { name, message } = error as { name?: string; message?: string };
  const code = (error as { Code?: string }).Code ?? name ?? 'Error';
  const text = cleanMessage(message ?? '');
  const action = actionOf(error, context);
  const who = context.simulated ? 'the sandbox' : `profile "${context.profile}"`;
  const details = (extra: Record<string, string> = {}) => ({
    awsCode: code,
    ...(action ? { action } : {}),
    ...requestId(error),
    ...extra,
  });

  if (name === 'AbortError') return new AppError('CANCELLED', 'Cancelled.');
  if (DENIED.has(code)) {
    if (/MultiFactorAuthentication failed/i.test(text)) {
      return new AppError(
        'MFA_REQUIRED',
        `AWS did not accept the MFA code for ${who}. Try a fresh code.`,
        details(),
      );
    }
    const encoded = /Encoded authorization failure message:\s*(\S+)/.exec(message ?? '')?.[1];
    return new AppError(
      'ACCESS_DENIED',
      `${capitalise(who)} is not allowed to call ${action ?? 'this action'}.${text ? ` AWS said: ${text}` : ''}`,
      details(encoded ? { encodedMessage: encoded } : {}),
    );
  }
  if (THROTTLED.has(code)) {
    return new AppError(
      'THROTTLED',
      `AWS is throttling ${action ?? 'requests'} (${code}); retry in a moment.`,
      details(),
    );
  }
  if (EXPIRED.has(code)) {
    if (context.kind === 'sso') return ssoExpired(context.profile, details());
    return new AppError(
      'CREDENTIALS',
      `The credentials of ${who} have expired (${code}). Get fresh credentials and try again.`,
      details(),
    );
  }
  if (REJECTED.has(code)) {
    return new AppError(
      'CREDENTIALS',
      `AWS rejected the credentials of ${who} (${code}): the key may be wrong, deleted or not enabled for this region.`,
      details(),
    );
  }
  const network = (error as { code?: string }).code;
  if ((network && NETWORK.has(network)) || name === 'TimeoutError') {
    return new AppError(
      'UNAVAILABLE',
      context.simulated
        ? 'The sandbox is not running or not reachable.'
        : `Could not reach AWS for ${action ?? 'the request'} (${network ?? name}). Check the network and any endpoint override.`,
      { awsCode: network ?? 'TimeoutError' },
    );
  }
  if (/region is missing/i.test(text)) {
    return new AppError('INVALID_INPUT', noRegionMessage(context.profile), { reason: 'no-region' });
  }
  if ((error as { $metadata?: unknown }).$metadata !== undefined || (error as { $fault?: unknown }).$fault) {
    return new AppError('AWS_ERROR', `${action ? `${action} failed: ` : ''}${code}: ${text}`, details());
  }
  return new AppError('INTERNAL', text || code);
}

export function ssoExpired(profile: string, details: Record<string, string> = {}): AppError {
  return new AppError(
    'SSO_EXPIRED',
    `The SSO session for profile "${profile}" has expired or was never started. Run: ${ssoLoginCommand(profile)}`,
    { ...details, command: ssoLoginCommand(profile) },
  );
}

export function noRegionMessage(profile: string): string {
  return `No region for profile "${profile}": choose one, set region in the profile, or set AWS_REGION.`;
}

function requestId(error: object): Record<string, string> {
  const id = (error as { $metadata?: { requestId?: unknown } }).$metadata?.requestId;
  return typeof id === 'string' ? { requestId: id } : {};
}

/** EC2 appends a long encoded blob to authorization failures; it goes to details, not the sentence. */
export function cleanMessage(message: string): string {
  return message.replace(/\s*Encoded authorization failure message:.*$/s, '').trim();
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
