import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ConfigProblem } from '../../../shared/aws';

export interface ConfigFileLocation {
  path: string;
  fromEnv: boolean;
}

export interface AwsConfigPaths {
  config: ConfigFileLocation;
  credentials: ConfigFileLocation;
}

/** The same lookup as the SDK's and the AWS CLI's: the env variable, else ~/.aws/…, with ~/ expanded. */
export function awsConfigPaths(env: NodeJS.ProcessEnv): AwsConfigPaths {
  const home = env.HOME || env.USERPROFILE || homedir();
  const locate = (variable: string, fallback: string): ConfigFileLocation => {
    const fromEnv = env[variable];
    const raw = fromEnv || join(home, '.aws', fallback);
    return { path: raw.startsWith('~/') ? join(home, raw.slice(2)) : raw, fromEnv: Boolean(fromEnv) };
  };
  return {
    config: locate('AWS_CONFIG_FILE', 'config'),
    credentials: locate('AWS_SHARED_CREDENTIALS_FILE', 'credentials'),
  };
}

export interface ConfigFileRead {
  exists: boolean;
  text?: string;
  problems: ConfigProblem[];
}

/**
 * Reads a file only to diagnose it: the SDK's loader silently treats an unreadable or broken file as empty,
 * which would leave an engineer wondering where their profiles went.
 */
export async function readConfigFile(
  location: ConfigFileLocation,
  variable: string,
): Promise<ConfigFileRead> {
  try {
    return { exists: true, text: await readFile(location.path, 'utf8'), problems: [] };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !location.fromEnv) return { exists: false, problems: [] };
    const reason =
      code === 'ENOENT'
        ? `${variable} points to ${location.path}, which does not exist.`
        : code === 'EACCES' || code === 'EPERM'
          ? `Cannot read ${location.path}: permission denied.`
          : code === 'EISDIR'
            ? `${location.path} is a directory, not a file.`
            : `Cannot read ${location.path} (${code ?? 'unknown error'}).`;
    return { exists: code !== 'ENOENT', problems: [{ file: location.path, message: reason }] };
  }
}

const SECTION_NAME = /^[\w\-@+.%:/]+$/;
const CONFIG_SECTION = /^(profile|sso-session|services)\s(["']?)([^"']+)\2$/;

/**
 * Line-level diagnostics for what the SDK's INI reader silently drops. The profiles themselves come from the
 * SDK's loader; this only explains why something is missing. Messages name line numbers, never line
 * contents, because a malformed line may well be a secret key.
 */
export function lintConfigText(
  text: string,
  fileKind: 'config' | 'credentials',
  path: string,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  // Lines under a section already reported as ignored are not reported again.
  let section: 'none' | 'valid' | 'ignored' = 'none';
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.split(/(^|\s)[;#]/)[0]?.trim() ?? '';
    if (!line) return;
    const at = { file: path, line: index + 1 };
    if (line.startsWith('[')) {
      const message = line.endsWith(']')
        ? sectionProblem(line.slice(1, -1), fileKind)
        : 'This section header has no closing ]; AWS tools ignore the section.';
      section = message ? 'ignored' : 'valid';
      if (message) problems.push({ ...at, message });
      return;
    }
    if (section === 'ignored') return;
    if (line.indexOf('=') <= 0) {
      problems.push({ ...at, message: 'This line is not "key = value"; AWS tools ignore it.' });
    } else if (section === 'none') {
      problems.push({ ...at, message: 'This setting comes before any [section]; AWS tools ignore it.' });
    }
  });
  return problems;
}

function sectionProblem(name: string, fileKind: 'config' | 'credentials'): string | undefined {
  if (name === '__proto__' || name === 'profile __proto__') {
    return `[${name}] is not a valid profile name; the AWS SDK ignores this whole file because of it.`;
  }
  if (fileKind === 'credentials') {
    if (name.startsWith('profile ')) {
      return `Sections in the credentials file are plain names: write [${name.slice(8).trim()}], not [${name}].`;
    }
    return SECTION_NAME.test(name) ? undefined : `[${name}] is not a valid profile name; it is ignored.`;
  }
  if (name === 'default') return undefined;
  const match = CONFIG_SECTION.exec(name);
  if (match && SECTION_NAME.test(match[3] ?? '')) return undefined;
  if (SECTION_NAME.test(name)) {
    return `[${name}] is ignored: in the config file a profile section is written [profile ${name}].`;
  }
  return `[${name}] is not a valid section name; it is ignored.`;
}
