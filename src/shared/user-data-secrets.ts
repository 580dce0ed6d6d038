/**
 * Secrets where they do not belong: the init script and its environment travel in the builder's user
 * data. The same patterns serve the script editor (per line) and the environment editor (per value).
 */

/**
 * Where user data can be read while the builder runs. Quadraxis removes it from the builder's disk before
 * imaging, so the image does not keep it; the API and the metadata service show it until the builder is gone.
 */
export const USER_DATA_VISIBILITY =
  'anyone allowed to call DescribeInstanceAttribute (userData) on the builder, and every process on it through the instance metadata service (169.254.169.254/latest/user-data), can read it while the builder runs';

export const SECRET_ADVICE = `User data is not secret: ${USER_DATA_VISIBILITY}. Fetch secrets at run time (SSM Parameter Store, Secrets Manager) through the builder’s instance profile.`;

const SECRET_PATTERNS: { pattern: RegExp; what: string }[] = [
  { pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, what: 'an AWS access key id' },
  { pattern: /aws_secret_access_key\s*[=:]/i, what: 'an AWS secret access key' },
  { pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, what: 'a private key' },
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/, what: 'a GitHub token' },
  {
    // A value written out, not a reference like $DB_PASSWORD or "${TOKEN}".
    pattern: /(?<![a-z0-9])(?:password|passwd|secret|api[_-]?key|token)\s*[=:]\s*["']?(?![$"'\s])\S/i,
    what: 'a password or token in plain text',
  },
];

/** The first secret-looking text on a line: what it looks like, where it starts, how long it is. */
export function findSecret(text: string): { what: string; index: number; length: number } | undefined {
  for (const { pattern, what } of SECRET_PATTERNS) {
    const match = pattern.exec(text);
    if (match) return { what, index: match.index, length: match[0].length };
  }
  return undefined;
}

export interface EnvDiagnostic {
  /** The variable's name, as the project has it. */
  name: string;
  message: string;
}

/**
 * The script's secret patterns over the environment: each value on its own and as `NAME=value` (so a
 * DB_PASSWORD holding a literal is caught like `password=` in the script). Values travel in the user data.
 */
export function diagnoseEnv(env: Readonly<Record<string, string>>): EnvDiagnostic[] {
  const out: EnvDiagnostic[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === '') continue;
    const hit = SECRET_PATTERNS.find(
      ({ pattern }) => pattern.test(value) || pattern.test(`${name}=${value}`),
    );
    if (!hit) continue;
    out.push({
      name,
      message: `${name} looks like ${hit.what}. Environment values travel in the user data (encoded, not encrypted): ${USER_DATA_VISIBILITY}. Fetch it at run time from SSM Parameter Store or Secrets Manager instead.`,
    });
  }
  return out;
}
