import { AppError } from '../../../shared/result';
import { capitalise, ssoExpired, toAppError, type ErrorContext } from './errors';

export interface CredentialErrorContext extends ErrorContext {
  /** The profile holding the SSO settings when `profile` reaches SSO through source_profile. */
  ssoProfile?: string;
}

const PROVIDER_ERRORS = new Set(['CredentialsProviderError', 'TokenProviderError']);
const SSO_LOGIN_NEEDED =
  /SSO session .*(has expired|is invalid)|SSO session token .*not found or is invalid|Token is expired|in SSO Token|Session token not found or invalid/i;
const PROCESS_REPLY =
  /credential_process (did not return Version 1|returned invalid JSON|returned invalid credentials|returned expired credentials)/;

/**
 * Explains why a profile's credentials could not be resolved. The SDK's providers throw plain messages
 * (CredentialsProviderError / TokenProviderError) for local problems; AWS service errors from the inner
 * STS/SSO calls fall through to toAppError with the action that made them.
 */
export function credentialError(error: unknown, context: CredentialErrorContext): AppError {
  if (error instanceof AppError) return error;
  const name = (error as { name?: unknown } | null)?.name;
  const message = String((error as { message?: unknown } | null)?.message ?? error);
  const profile = `profile "${context.profile}"`;
  const fail = (text: string, reason: string) =>
    new AppError('CREDENTIALS', text, { reason, profile: context.profile });

  if (SSO_LOGIN_NEEDED.test(message)) return ssoExpired(context.ssoProfile ?? context.profile);
  if (/^Command failed: /.test(message)) {
    // The first line repeats the command, whose arguments may hold secrets: only the tool's stderr is kept.
    const stderr = message.split('\n').slice(1).join(' ').replace(/\s+/g, ' ').trim().slice(0, 300);
    return fail(
      `The credential_process of ${profile} failed${stderr ? `: ${stderr}` : '.'}`,
      'process-failed',
    );
  }
  const reply = PROCESS_REPLY.exec(message);
  if (reply) return fail(`The credential_process of ${profile} ${reply[1]}.`, 'process-failed');
  if (/requires multi-factor authentication/.test(message)) {
    return new AppError(
      'MFA_REQUIRED',
      `${capitalise(profile)} needs an MFA code, and nothing here can ask for one.`,
      {
        reason: 'no-prompt',
        profile: context.profile,
      },
    );
  }
  if (typeof name === 'string' && PROVIDER_ERRORS.has(name)) {
    if (/Could not resolve credentials using profile/.test(message)) {
      return fail(`${capitalise(profile)} has no credentials Quadraxis can use.`, 'no-credentials');
    }
    if (/Unable to find environment variable credentials/.test(message)) {
      return fail('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set.', 'no-credentials');
    }
    if (/ForbiddenException|No access/i.test(message)) {
      return new AppError(
        'ACCESS_DENIED',
        `The SSO role of ${profile} is not assigned to you (${message}).`,
        {
          action: 'sso:GetRoleCredentials',
          profile: context.profile,
        },
      );
    }
    return fail(
      `Could not get credentials for ${profile}: ${message.replace(/\s*Reference: \S+/, '').trim()}`,
      'provider',
    );
  }
  return toAppError(error, { ...context, action: context.action ?? innerAction(context.kind) });
}

function innerAction(kind: ErrorContext['kind']): string | undefined {
  if (kind === 'assume-role') return 'sts:AssumeRole';
  if (kind === 'web-identity') return 'sts:AssumeRoleWithWebIdentity';
  if (kind === 'sso') return 'sso:GetRoleCredentials';
  return undefined;
}
