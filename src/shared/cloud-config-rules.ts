import { CLOUD_CONFIG_KEYS } from '../protocol/cloud-config-keys';

/** Top-level keys of a #cloud-config (unindented `key:` lines), for the unknown-key rule. */
const TOP_LEVEL_KEY = /^([A-Za-z_][\w-]*)\s*:(?:\s|$)/;

/** Why `key` is a problem, or undefined for a key cloud-init knows. */
export function unknownCloudConfigKey(key: string): string | undefined {
  if (CLOUD_CONFIG_KEYS.has(key)) return undefined;
  const near = [...CLOUD_CONFIG_KEYS].find((known) => editDistance(key, known) <= 2);
  return (
    `“${key}” is not a cloud-config key${near ? ` (did you mean “${near}”?)` : ''}. cloud-init 23.4 and later ` +
    'report it as a recoverable error; older cloud-init (Amazon Linux 2023, Debian 12) ignores it silently ' +
    'and Quadraxis reports it instead. Either way it fails the bake unless the project accepts warnings.'
  );
}

/**
 * The unknown top-level keys of a #cloud-config, each with why (see unknownCloudConfigKey). The engine adds
 * them to a bake's warnings when cloud-init did not name them itself: before 23.4 (Debian 12's 22.4, Amazon
 * Linux 2023) it ignores them without a word, so such a bake would otherwise end plain "succeeded".
 */
export function unknownTopLevelKeys(config: string): UnknownKey[] {
  const found: UnknownKey[] = [];
  for (const line of config.split('\n')) {
    const unknown = unknownKeyOnLine(line);
    if (unknown && !found.some((f) => f.key === unknown.key)) found.push(unknown);
  }
  return found;
}

export interface UnknownKey {
  key: string;
  message: string;
}

/** The line's top-level key when cloud-init does not know it (the editor marks each such line). */
export function unknownKeyOnLine(line: string): UnknownKey | undefined {
  const key = TOP_LEVEL_KEY.exec(line)?.[1];
  const message = key === undefined ? undefined : unknownCloudConfigKey(key);
  return key && message ? { key, message } : undefined;
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
