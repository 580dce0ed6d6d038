/**
 * A small leveled logger whose every line passes through `redact`, so a credential that ends up in an error
 * message (the SDK quotes request parameters in some errors) never reaches a log file.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const SECRET_PATTERNS: [RegExp, string][] = [
  // Access key ids (long-term AKIA…, temporary ASIA…).
  [/\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,20}\b/g, '[redacted-key-id]'],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer [redacted]'],
  // An Authorization value runs to the end of its quoted string or line (SigV4 headers contain spaces).
  [/(authorization["']?\s*[:=]\s*["']?)[^"'\n]+/gi, '$1[redacted]'],
  // key=value and "key": "value" pairs whose key names a secret (secret_access_key, sessionToken, TokenCode…).
  [
    /([\w-]*(?:secret|token|password|passphrase|signature|mfa[_-]?code)[\w-]*["']?\s*[:=]\s*["']?)([^\s"',;&]+)/gi,
    '$1[redacted]',
  ],
];

export function redact(text: string): string {
  return SECRET_PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(
  write: (line: string) => void,
  options: { level?: LogLevel; now?: () => number } = {},
): Logger {
  const min = ORDER[options.level ?? 'info'];
  const now = options.now ?? Date.now;
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const line = JSON.stringify(
      { t: new Date(now()).toISOString(), level, message, ...fields },
      errorReplacer,
    );
    write(redact(line));
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
