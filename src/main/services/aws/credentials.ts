import { fromEnv, fromIni, fromSSO } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { MfaCodeSchema, type AwsProfile } from '../../../shared/aws';
import { AppError } from '../../../shared/result';
import type { Clock } from '../clock';
import { credentialError, type CredentialErrorContext } from './credential-errors';

/**
 * Asks a person for the current code of their MFA device. The app shows a dialog in the renderer and sends
 * only the code back; the CLI prompts on the terminal. Reject (or resolve empty) to cancel.
 */
export type AskMfaCode = (mfaSerial: string, profile: string) => Promise<string>;

export interface ProfileCredentialsOptions {
  profile: AwsProfile;
  configFile: string;
  credentialsFile: string;
  askMfaCode?: AskMfaCode;
  /** Endpoint for the STS call an assume-role profile makes (LocalStack, the sandbox). */
  stsEndpoint?: string;
  /** The profile to name in `aws sso login --profile …` when SSO is reached through source_profile. */
  ssoProfile?: string;
  clock: Clock;
}

/** Credentials are refreshed this long before they expire, so a bake never signs with a dying token. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * The SDK's own provider for a profile, memoized once for all of a target's clients (otherwise each of
 * EC2, STS and SSM would assume the role, and ask for an MFA code, on its own). Errors come out as AppErrors.
 */
export function profileCredentials(options: ProfileCredentialsOptions): AwsCredentialIdentityProvider {
  const { profile } = options;
  const context: CredentialErrorContext = {
    profile: profile.name,
    kind: profile.kind,
    ...(options.ssoProfile ? { ssoProfile: options.ssoProfile } : {}),
  };
  const files = { filepath: options.credentialsFile, configFilepath: options.configFile, ignoreCache: true };
  // The inner STS/SSO clients follow our endpoint choice, never AWS_PROFILE's endpoint_url.
  const inner = { ignoreConfiguredEndpointUrls: true };
  let provider: AwsCredentialIdentityProvider;
  if (profile.kind === 'environment') {
    provider = fromEnv();
  } else if (profile.kind === 'sso') {
    // Called directly because fromIni does not pass the file paths on to fromSSO.
    provider = fromSSO({ profile: profile.name, ...files, clientConfig: inner });
  } else {
    provider = fromIni({
      profile: profile.name,
      ...files,
      ...(options.askMfaCode ? { mfaCodeProvider: mfaPrompt(options.askMfaCode, profile.name) } : {}),
      // This config also builds the SSO client of a role whose source is SSO: no STS endpoint for that one.
      clientConfig: {
        ...inner,
        ...(options.stsEndpoint && !options.ssoProfile ? { endpoint: options.stsEndpoint } : {}),
      },
    });
  }
  return memoizeCredentials(provider, options.clock, (error) => credentialError(error, context));
}

export function staticCredentials(credentials: AwsCredentialIdentity): AwsCredentialIdentityProvider {
  return () => Promise.resolve(credentials);
}

function mfaPrompt(ask: AskMfaCode, profile: string): (mfaSerial: string) => Promise<string> {
  return async (mfaSerial) => {
    let answer: string;
    try {
      answer = (await ask(mfaSerial, profile)).trim();
    } catch (error) {
      if (error instanceof AppError) throw error;
      answer = '';
    }
    if (!answer) {
      throw new AppError(
        'MFA_REQUIRED',
        `No MFA code was entered for profile "${profile}"; nothing was called.`,
        {
          reason: 'cancelled',
          profile,
          mfaSerial,
        },
      );
    }
    const code = MfaCodeSchema.safeParse(answer);
    if (!code.success) {
      throw new AppError('MFA_REQUIRED', 'An MFA code is the 6 digits your device shows.', {
        reason: 'malformed',
        profile,
        mfaSerial,
      });
    }
    return code.data;
  };
}

export function memoizeCredentials(
  provider: AwsCredentialIdentityProvider,
  clock: Clock,
  translate: (error: unknown) => Error,
): AwsCredentialIdentityProvider {
  let cached: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const fresh = (credentials: AwsCredentialIdentity) =>
    !credentials.expiration || credentials.expiration.getTime() - clock.now() > REFRESH_MARGIN_MS;
  return (properties) => {
    if (cached && fresh(cached)) return Promise.resolve(cached);
    pending ??= provider(properties)
      .then(
        (credentials) => {
          cached = credentials;
          return credentials;
        },
        (error: unknown) => {
          throw translate(error);
        },
      )
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}
