import { CLOUD_CONFIG_KEYS } from '../protocol/cloud-config-keys';

/** Top-level keys of a #cloud-config (unindented `key:` lines), for the unknown-key rule. */
export const TOP_LEVEL_KEY = /^([A-Za-z_][\w-]*)\s*:(?:\s|$)/;

/** Why `key` is a problem, or undefined for a key cloud-init knows. */
export function unknownCloudConfigKey(key: string): string | undefined {
  if (CLOUD_CONFIG_KEYS.has(key)) return undefined;
  const near = [...CLOUD_CONFIG_KEYS].find((known) => editDistance(key, known) <= 2);
  return (
    `“${key}” is not a cloud-config key${near ? ` (did you mean “${near}”?)` : ''}. cloud-init 23.4 and later ` +
    'report it as a recoverable error, which fails the bake unless the project accepts warnings; older ' +
    'cloud-init (Amazon Linux 2023, Debian 12) ignores it silently.'
  );
}

/** Levenshtein distance, for "did you mean": keys are short. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length]!;
}
