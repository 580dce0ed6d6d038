import type { AppErrorPayload } from '../../../../shared/result';

/** A short heading for why the chosen profile cannot be used; the message itself says the rest. */
export function identityProblemTitle(error: AppErrorPayload): string {
  if (error.code === 'INVALID_INPUT' && error.details?.reason === 'no-region') return 'Choose a region';
  switch (error.code) {
    case 'SSO_EXPIRED':
      return 'SSO session expired';
    case 'CREDENTIALS':
      return 'No usable credentials';
    case 'MFA_REQUIRED':
      return 'MFA code needed';
    case 'ACCESS_DENIED':
      return 'Access denied';
    case 'UNAVAILABLE':
      return 'AWS not reachable';
    case 'CANCELLED':
      return 'Sign-in cancelled';
    case 'THROTTLED':
      return 'AWS is throttling';
    default:
      return 'Could not connect';
  }
}
