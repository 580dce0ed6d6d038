import { describe, expect, it } from 'vitest';
import { credentialError } from '../../../src/main/services/aws/credential-errors';
import { tagErrorAction, toAppError, type ErrorContext } from '../../../src/main/services/aws/errors';
import { AppError } from '../../../src/shared/result';

const keys: ErrorContext = { profile: 'prod', kind: 'keys' };

function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: 'req-1' },
  });
}

function providerError(message: string, name = 'CredentialsProviderError'): Error {
  return Object.assign(new Error(message), { name });
}

describe('toAppError', () => {
  it('names the denied action and keeps the encoded reason out of the sentence', () => {
    const error = awsError(
      'UnauthorizedOperation',
      'You are not authorized to perform this operation. Encoded authorization failure message: AbC-123_x',
      403,
    );
    tagErrorAction(error, 'ec2:RunInstances');
    const translated = toAppError(error, keys);
    expect(translated.toPayload()).toEqual({
      code: 'ACCESS_DENIED',
      message:
        'Profile "prod" is not allowed to call ec2:RunInstances. AWS said: You are not authorized to perform this operation.',
      details: {
        awsCode: 'UnauthorizedOperation',
        action: 'ec2:RunInstances',
        requestId: 'req-1',
        encodedMessage: 'AbC-123_x',
      },
    });
  });

  it('tells MFA failures, expired tokens, rejected keys and throttling apart', () => {
    const mfa = toAppError(
      awsError('AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code.'),
      keys,
    );
    expect(mfa.code).toBe('MFA_REQUIRED');

    const expiredSso = toAppError(
      awsError('ExpiredToken', 'The security token included in the request is expired'),
      {
        profile: 'corp',
        kind: 'sso',
      },
    );
    expect(expiredSso.code).toBe('SSO_EXPIRED');
    expect(expiredSso.details?.command).toBe('aws sso login --profile corp');

    const expiredKeys = toAppError(awsError('ExpiredToken', 'expired'), keys);
    expect(expiredKeys.code).toBe('CREDENTIALS');
    expect(expiredKeys.message).toMatch(/^The credentials of profile "prod" have expired \(ExpiredToken\)/);

    expect(toAppError(awsError('AuthFailure', 'AWS was not able to validate'), keys).code).toBe(
      'CREDENTIALS',
    );
    expect(toAppError(awsError('RequestLimitExceeded', 'Request limit exceeded.', 503), keys).code).toBe(
      'THROTTLED',
    );
  });

  it('turns network failures into UNAVAILABLE, aborts into CANCELLED, the rest into AWS_ERROR', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(toAppError(refused, { ...keys, simulated: true }).toPayload()).toEqual({
      code: 'UNAVAILABLE',
      message: 'The sandbox is not running or not reachable.',
      details: { awsCode: 'ECONNREFUSED' },
    });
    expect(toAppError(refused, keys).message).toMatch(/^Could not reach AWS/);

    const aborted = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
    expect(toAppError(aborted, keys).code).toBe('CANCELLED');

    const other = awsError('InvalidSubnetID.NotFound', "The subnet ID 'subnet-1' does not exist");
    const translated = toAppError(other, { ...keys, action: 'ec2:RunInstances' });
    expect(translated.code).toBe('AWS_ERROR');
    expect(translated.message).toBe(
      "ec2:RunInstances failed: InvalidSubnetID.NotFound: The subnet ID 'subnet-1' does not exist",
    );

    const existing = new AppError('NOT_FOUND', 'kept');
    expect(toAppError(existing, keys)).toBe(existing);
    expect(toAppError(new TypeError('boom'), keys).code).toBe('INTERNAL');
  });
});

describe('credentialError', () => {
  const ctx = { profile: 'dev', kind: 'sso' as const };

  it('sends every flavour of missing or stale SSO token to aws sso login', () => {
    for (const message of [
      'The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.',
      'The SSO session associated with this profile is invalid. To refresh…',
      "The SSO session token associated with profile=dev was not found or is invalid. To refresh this SSO session run 'aws sso login' with the corresponding profile.",
      "Value not present for 'clientId' in SSO Token. Cannot refresh.",
    ]) {
      const error = credentialError(providerError(message), { ...ctx, ssoProfile: 'corp-sso' });
      expect(error.code, message).toBe('SSO_EXPIRED');
      expect(error.details?.command).toBe('aws sso login --profile corp-sso');
    }
  });

  it('keeps the process command line (and its secret arguments) out of the message', () => {
    const failed = credentialError(
      providerError(
        'Command failed: vault-helper --password=hunter2 prod\nerror: vault sealed\n  retry later\n',
      ),
      { profile: 'vault', kind: 'process' },
    );
    expect(failed.message).toBe(
      'The credential_process of profile "vault" failed: error: vault sealed retry later',
    );
    expect(JSON.stringify(failed.toPayload())).not.toContain('hunter2');
  });

  it('explains profiles without credentials, bad source settings and denied role assumption', () => {
    expect(
      credentialError(
        providerError(
          'Could not resolve credentials using profile: [x] in configuration/credentials file(s).',
        ),
        {
          profile: 'x',
          kind: 'incomplete',
        },
      ).message,
    ).toBe('Profile "x" has no credentials Quadraxis can use.');
    const unsupported = credentialError(
      providerError(
        'Unsupported credential source in profile r. Got Bogus, expected EcsContainer or Ec2InstanceMetadata or Environment.',
      ),
      { profile: 'r', kind: 'assume-role' },
    );
    expect(unsupported.code).toBe('CREDENTIALS');
    expect(unsupported.message).toContain('Got Bogus');
    const denied = credentialError(
      awsError('AccessDenied', 'User: x is not authorized to perform: sts:AssumeRole', 403),
      {
        profile: 'r',
        kind: 'assume-role',
      },
    );
    expect(denied.code).toBe('ACCESS_DENIED');
    expect(denied.message).toMatch(/^Profile "r" is not allowed to call sts:AssumeRole\./);
  });
});
