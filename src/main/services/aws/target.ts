import type { AwsCredentialIdentityProvider } from '@smithy/types';
import {
  SANDBOX_PROFILE,
  type AwsProfile,
  type ProfileKind,
  type ProfileList,
  type ServiceEndpoints,
  type TargetSummary,
} from '../../../shared/aws';
import { REGION_PATTERN } from '../../../shared/project';
import { AppError } from '../../../shared/result';
import { systemClock, type Clock } from '../clock';
import { SANDBOX_CREDENTIALS } from '../../../sandbox';
import { profileCredentials, staticCredentials, type AskMfaCode } from './credentials';
import { noRegionMessage } from './errors';
import { discoverProfiles, SANDBOX_DEFAULT_REGION } from './profiles';

/**
 * Everything needed to make clients for one profile and region. Lives in the main process only: the
 * credentials provider signs requests; the renderer gets `describeTarget(target)`.
 */
export interface AwsTarget {
  profile: string;
  kind: ProfileKind;
  region: string;
  endpoints: ServiceEndpoints;
  /** True for the sandbox: whatever is made here is not real. */
  simulated: boolean;
  /** True when the profile comes from the shared config files (so the SDK may read its other settings). */
  fromConfigFiles: boolean;
  credentials: AwsCredentialIdentityProvider;
}

/** How to reach a running sandbox (a SandboxHandle fits). */
export interface SandboxAccess {
  url: string;
}

export interface ResolveTargetOptions {
  /** Defaults to the profile the AWS CLI would use (see ProfileList.currentProfile). */
  profile?: string;
  /** Overrides the profile's region (a project's region, a --region flag). */
  region?: string;
  /** Overrides every service endpoint. */
  endpoint?: string;
  askMfaCode?: AskMfaCode;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** A list discovered moments ago, to avoid reading the files twice. */
  profiles?: ProfileList;
  /** Starts or finds the sandbox; needed only for the `sandbox` profile without an `endpoint`. */
  sandbox?: () => Promise<SandboxAccess>;
}

export async function resolveTarget(options: ResolveTargetOptions = {}): Promise<AwsTarget> {
  const env = options.env ?? process.env;
  const list = options.profiles ?? (await discoverProfiles({ env }));
  const name = options.profile ?? list.currentProfile;
  if (!name) {
    throw new AppError('CREDENTIALS', 'No profile chosen, and there is no default profile.', {
      reason: 'no-profile',
    });
  }
  const profile = list.profiles.find((p) => p.name === name);
  if (!profile) {
    throw new AppError(
      'CREDENTIALS',
      `Unknown profile "${name}". Known profiles: ${list.profiles.map((p) => p.name).join(', ')}.`,
      { reason: 'unknown-profile', profile: name },
    );
  }
  if (options.region !== undefined && !REGION_PATTERN.test(options.region)) {
    throw new AppError('INVALID_INPUT', `"${options.region}" is not an AWS region name (like eu-west-1).`);
  }
  const endpointOverride = (endpoints: ServiceEndpoints): ServiceEndpoints =>
    options.endpoint
      ? {
          ec2: options.endpoint,
          sts: options.endpoint,
          ssm: options.endpoint,
          kms: options.endpoint,
          autoscaling: options.endpoint,
          iam: options.endpoint,
        }
      : endpoints;

  if (profile.kind === 'sandbox') {
    // With an endpoint the sandbox runs elsewhere (`quadraxis sandbox`, a test's): use it, start none here.
    let url = options.endpoint;
    if (url === undefined) {
      if (!options.sandbox) throw new AppError('UNAVAILABLE', 'The sandbox is not running.');
      url = (await options.sandbox()).url;
    }
    return {
      profile: SANDBOX_PROFILE,
      kind: 'sandbox',
      region: options.region ?? SANDBOX_DEFAULT_REGION,
      endpoints: { ec2: url, sts: url, ssm: url, kms: url, autoscaling: url, iam: url },
      simulated: true,
      fromConfigFiles: false,
      credentials: staticCredentials({ ...SANDBOX_CREDENTIALS }),
    };
  }

  if (!profile.usable) {
    throw new AppError('CREDENTIALS', `Profile "${name}" cannot be used: ${profile.problems.join(' ')}`, {
      reason: 'profile-problem',
      profile: name,
    });
  }
  const region = options.region ?? profile.region;
  if (!region)
    throw new AppError('INVALID_INPUT', noRegionMessage(name), { reason: 'no-region', profile: name });
  const endpoints = endpointOverride(profile.endpoints);
  const ssoProfile = findSsoProfile(profile, list.profiles);
  return {
    profile: name,
    kind: profile.kind,
    region,
    endpoints,
    simulated: false,
    fromConfigFiles: profile.kind !== 'environment',
    credentials: profileCredentials({
      profile,
      configFile: list.configFile.path,
      credentialsFile: list.credentialsFile.path,
      clock: options.clock ?? systemClock,
      ...(options.askMfaCode ? { askMfaCode: options.askMfaCode } : {}),
      ...(endpoints.sts ? { stsEndpoint: endpoints.sts } : {}),
      ...(ssoProfile ? { ssoProfile } : {}),
    }),
  };
}

/** What the renderer may see of a target. */
export function describeTarget(target: AwsTarget): TargetSummary {
  return {
    profile: target.profile,
    kind: target.kind,
    region: target.region,
    endpoints: { ...target.endpoints },
    simulated: target.simulated,
  };
}

/** The profile whose SSO session an error should send the person to log in to. */
function findSsoProfile(profile: AwsProfile, all: AwsProfile[]): string | undefined {
  const seen = new Set<string>();
  let current: AwsProfile | undefined = profile;
  while (current && !seen.has(current.name)) {
    if (current.kind === 'sso') return current.name;
    seen.add(current.name);
    const source: string | undefined = current.sourceProfile;
    current = source ? all.find((p) => p.name === source) : undefined;
  }
  return undefined;
}
