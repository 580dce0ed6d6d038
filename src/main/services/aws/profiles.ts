import { loadSharedConfigFiles, loadSsoSessionData } from '@smithy/shared-ini-file-loader';
import {
  ENVIRONMENT_PROFILE,
  SANDBOX_PROFILE,
  SANDBOX_PROFILE_LABEL,
  type AwsProfile,
  type ConfigProblem,
  type ProfileList,
} from '../../../shared/aws';
import { REGION_PATTERN } from '../../../shared/project';
import { awsConfigPaths, lintConfigText, readConfigFile } from './config-files';
import { resolveEndpoints } from './endpoints';
import { describeProfile, type ProfileData } from './profile-kinds';

/** The region simulated profiles use unless a project names another. */
export const SANDBOX_DEFAULT_REGION = 'us-east-1';

export interface DiscoverOptions {
  /** Where AWS_CONFIG_FILE, AWS_PROFILE, AWS_REGION… are read from; the app and CLI pass process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Every profile the AWS CLI would see, read with the SDK's own loader, plus the `environment` and
 * `sandbox` pseudo-profiles. A broken file never hides the good profiles: its problems are listed beside.
 */
export async function discoverProfiles(options: DiscoverOptions = {}): Promise<ProfileList> {
  const env = options.env ?? process.env;
  const paths = awsConfigPaths(env);
  const [configRead, credentialsRead] = await Promise.all([
    readConfigFile(paths.config, 'AWS_CONFIG_FILE'),
    readConfigFile(paths.credentials, 'AWS_SHARED_CREDENTIALS_FILE'),
  ]);
  const problems: ConfigProblem[] = [...configRead.problems, ...credentialsRead.problems];
  if (configRead.text !== undefined)
    problems.push(...lintConfigText(configRead.text, 'config', paths.config.path));
  if (credentialsRead.text !== undefined) {
    problems.push(...lintConfigText(credentialsRead.text, 'credentials', paths.credentials.path));
  }

  // ignoreCache: the SDK caches file contents per process; the UI's refresh must see an edited file.
  const files = await loadSharedConfigFiles({
    filepath: paths.credentials.path,
    configFilepath: paths.config.path,
    ignoreCache: true,
  });
  const ssoSessions = await loadSsoSessionData({ configFilepath: paths.config.path });
  const servicesSections = sectionsWithPrefix(files.configFile, 'services.');

  const merged: Record<string, ProfileData> = {};
  const definedIn: Record<string, AwsProfile['definedIn']> = {};
  const add = (name: string, data: ProfileData, file: 'config' | 'credentials') => {
    // Credentials-file values win, as in the SDK's parseKnownFiles.
    merged[name] = { ...merged[name], ...data };
    (definedIn[name] ??= []).push(file);
  };
  for (const [name, data] of Object.entries(files.configFile)) {
    if (!name.startsWith('sso-session.') && !name.startsWith('services.')) add(name, data, 'config');
  }
  for (const [name, data] of Object.entries(files.credentialsFile)) {
    if (!name.startsWith('profile.')) add(name, data, 'credentials');
  }

  const envRegion = regionFromEnv(env, problems);
  const current = env.AWS_ACCESS_KEY_ID ? ENVIRONMENT_PROFILE : env.AWS_PROFILE || 'default';
  if (env.AWS_PROFILE && !env.AWS_ACCESS_KEY_ID && !merged[env.AWS_PROFILE]) {
    problems.push({ message: `AWS_PROFILE is set to "${env.AWS_PROFILE}", which is not defined.` });
  }

  const profiles: AwsProfile[] = [];
  for (const name of Object.keys(merged).sort(byDefaultThenName)) {
    const data = merged[name] ?? {};
    if (name === SANDBOX_PROFILE || name === ENVIRONMENT_PROFILE) {
      problems.push({
        profile: name,
        message: `Your profile "${name}" is hidden: Quadraxis reserves that name.`,
      });
      continue;
    }
    const description = describeProfile(name, data, { profiles: merged, ssoSessions });
    const endpoints = resolveEndpoints(env, data, servicesSections);
    profiles.push({
      name,
      label: name,
      current: name === current,
      ...regionOf(envRegion, data.region),
      definedIn: definedIn[name] ?? [],
      ...description,
      endpoints: endpoints.endpoints,
      problems: [...description.problems, ...endpoints.problems],
    });
  }

  if (env.AWS_ACCESS_KEY_ID) {
    // The AWS CLI takes everything but the keys from the AWS_PROFILE (or default) profile.
    const settings = merged[env.AWS_PROFILE || 'default'] ?? {};
    profiles.push({
      name: ENVIRONMENT_PROFILE,
      label: 'Environment variables (AWS_ACCESS_KEY_ID)',
      kind: 'environment',
      current: true,
      ...regionOf(envRegion, settings.region),
      definedIn: ['environment'],
      endpoints: resolveEndpoints(env, settings, servicesSections).endpoints,
      usable: Boolean(env.AWS_SECRET_ACCESS_KEY),
      problems: env.AWS_SECRET_ACCESS_KEY
        ? []
        : ['AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not.'],
    });
  }
  profiles.push({
    name: SANDBOX_PROFILE,
    label: SANDBOX_PROFILE_LABEL,
    kind: 'sandbox',
    current: false,
    region: SANDBOX_DEFAULT_REGION,
    regionSource: 'sandbox',
    definedIn: ['builtin'],
    endpoints: {},
    usable: true,
    problems: [],
  });

  return {
    profiles,
    ...(merged[current] || current === ENVIRONMENT_PROFILE ? { currentProfile: current } : {}),
    configFile: { path: paths.config.path, exists: configRead.exists, fromEnv: paths.config.fromEnv },
    credentialsFile: {
      path: paths.credentials.path,
      exists: credentialsRead.exists,
      fromEnv: paths.credentials.fromEnv,
    },
    problems,
  };
}

type EnvRegion = { region: string; source: 'AWS_REGION' | 'AWS_DEFAULT_REGION' } | undefined;

function regionFromEnv(env: NodeJS.ProcessEnv, problems: ConfigProblem[]): EnvRegion {
  for (const variable of ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const) {
    const value = env[variable];
    if (!value) continue;
    if (REGION_PATTERN.test(value)) return { region: value, source: variable };
    problems.push({ message: `${variable} is "${value}", which is not an AWS region name; it is ignored.` });
  }
  return undefined;
}

function regionOf(
  envRegion: EnvRegion,
  own: string | undefined,
): Pick<AwsProfile, 'region' | 'regionSource'> {
  if (envRegion) return { region: envRegion.region, regionSource: envRegion.source };
  return own && REGION_PATTERN.test(own) ? { region: own, regionSource: 'profile' } : {};
}

function sectionsWithPrefix(file: Record<string, ProfileData>, prefix: string): Record<string, ProfileData> {
  const sections: Record<string, ProfileData> = {};
  for (const [key, data] of Object.entries(file)) {
    if (key.startsWith(prefix)) sections[key.slice(prefix.length)] = data;
  }
  return sections;
}

function byDefaultThenName(a: string, b: string): number {
  if (a === 'default' || b === 'default') return a === 'default' ? -1 : 1;
  return a.localeCompare(b);
}
