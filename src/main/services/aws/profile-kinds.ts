import type { AwsProfile, ProfileKind } from '../../../shared/aws';
import { REGION_PATTERN } from '../../../shared/project';

/** One profile's settings as the SDK's loader returns them (config merged with credentials). */
export type ProfileData = Record<string, string | undefined>;

export interface ProfileContext {
  /** Every profile's merged settings, to follow source_profile chains. */
  profiles: Record<string, ProfileData>;
  /** [sso-session NAME] sections. */
  ssoSessions: Record<string, ProfileData>;
}

export type ProfileDescription = Pick<
  AwsProfile,
  'kind' | 'roleArn' | 'sourceProfile' | 'credentialSource' | 'mfaSerial' | 'sso' | 'credentialProcess'
> & { problems: string[]; usable: boolean };

const CREDENTIAL_SOURCES = ['Environment', 'Ec2InstanceMetadata', 'EcsContainer'];

/**
 * Classifies a profile in the order the SDK's fromIni tries them (assume-role, static keys, web identity,
 * credential_process, SSO, login), so the kind shown is the mechanism that will really run. Only
 * non-secret settings are copied out.
 */
export function describeProfile(
  name: string,
  data: ProfileData,
  context: ProfileContext,
): ProfileDescription {
  const problems: string[] = [];
  const kind = classify(data);
  const description: ProfileDescription = { kind, problems, usable: false };
  if (data.role_arn) description.roleArn = data.role_arn;
  if (data.source_profile) description.sourceProfile = data.source_profile;
  if (data.credential_source) description.credentialSource = data.credential_source;
  if (data.mfa_serial) description.mfaSerial = data.mfa_serial;
  if (data.credential_process) description.credentialProcess = programOf(data.credential_process);

  if (data.role_arn) problems.push(...roleProblems(name, data, context));
  if (kind === 'sso') {
    const sso = ssoDetails(data, context);
    description.sso = sso.details;
    problems.push(...sso.problems);
  }
  if (kind === 'incomplete') problems.push(incompleteReason(data));
  // A bad region only matters when nothing else supplies one, so it does not make the profile unusable.
  description.usable = problems.length === 0;
  if (data.region && !REGION_PATTERN.test(data.region)) {
    problems.push(`region "${data.region}" is not an AWS region name (like eu-west-1).`);
  }
  return description;
}

function classify(data: ProfileData): ProfileKind {
  const hasSource = data.source_profile !== undefined;
  const hasCredentialSource = data.credential_source !== undefined;
  if (data.role_arn && hasSource !== hasCredentialSource) return 'assume-role';
  if (data.aws_access_key_id && data.aws_secret_access_key) return 'keys';
  if (data.role_arn && data.web_identity_token_file) return 'web-identity';
  if (data.credential_process) return 'process';
  if (
    data.sso_start_url ||
    data.sso_account_id ||
    data.sso_session ||
    data.sso_region ||
    data.sso_role_name
  ) {
    return 'sso';
  }
  if (data.login_session) return 'login';
  return 'incomplete';
}

function roleProblems(name: string, data: ProfileData, context: ProfileContext): string[] {
  if (data.source_profile !== undefined && data.credential_source !== undefined) {
    return ['Has both source_profile and credential_source; keep one of them.'];
  }
  if (data.credential_source !== undefined) {
    return CREDENTIAL_SOURCES.includes(data.credential_source)
      ? []
      : [`credential_source "${data.credential_source}" is not one of ${CREDENTIAL_SOURCES.join(', ')}.`];
  }
  if (data.source_profile === undefined) return [];
  const chain = [name];
  let next: string | undefined = data.source_profile;
  while (next !== undefined) {
    const source: ProfileData | undefined = context.profiles[next];
    if (!source) return [`source_profile "${next}" is not defined in the config or credentials file.`];
    if (chain.includes(next)) {
      // A profile may name itself to use its own keys for the role; any other revisit is a loop.
      if (next === chain[chain.length - 1] && source.aws_access_key_id) return [];
      return [`source_profile chain loops: ${[...chain, next].join(' → ')}.`];
    }
    chain.push(next);
    next = source.role_arn ? source.source_profile : undefined;
  }
  return [];
}

function ssoDetails(
  data: ProfileData,
  context: ProfileContext,
): { details: AwsProfile['sso']; problems: string[] } {
  const problems: string[] = [];
  let startUrl = data.sso_start_url;
  let region = data.sso_region;
  if (data.sso_session) {
    const session = context.ssoSessions[data.sso_session];
    if (!session) {
      problems.push(`sso_session "${data.sso_session}" has no [sso-session ${data.sso_session}] section.`);
    } else {
      startUrl ??= session.sso_start_url;
      region ??= session.sso_region;
      for (const key of ['sso_start_url', 'sso_region'] as const) {
        if (!session[key]) problems.push(`[sso-session ${data.sso_session}] is missing ${key}.`);
      }
    }
  } else {
    for (const key of ['sso_start_url', 'sso_region'] as const) {
      if (!data[key]) problems.push(`${key} is missing (or use an sso_session).`);
    }
  }
  for (const key of ['sso_account_id', 'sso_role_name'] as const) {
    if (!data[key]) problems.push(`${key} is missing: it is needed to get credentials.`);
  }
  const details: AwsProfile['sso'] = {};
  if (data.sso_session) details.session = data.sso_session;
  if (startUrl) details.startUrl = startUrl;
  if (region) details.region = region;
  if (data.sso_account_id) details.accountId = data.sso_account_id;
  if (data.sso_role_name) details.roleName = data.sso_role_name;
  return { details, problems };
}

function incompleteReason(data: ProfileData): string {
  if (data.aws_access_key_id) return 'aws_access_key_id is set but aws_secret_access_key is missing.';
  if (data.aws_secret_access_key) return 'aws_secret_access_key is set but aws_access_key_id is missing.';
  if (data.role_arn) return 'role_arn needs a source_profile or a credential_source.';
  return 'No credentials: add keys to the credentials file, or SSO, role or credential_process settings.';
}

/** The executable of a credential_process command line, without its arguments. */
function programOf(commandLine: string): string {
  const trimmed = commandLine.trim();
  const quoted = /^"([^"]*)"|^'([^']*)'/.exec(trimmed);
  const first = quoted ? (quoted[1] ?? quoted[2] ?? '') : (trimmed.split(/\s+/)[0] ?? '');
  return first.split(/[\\/]/).pop() ?? first;
}
