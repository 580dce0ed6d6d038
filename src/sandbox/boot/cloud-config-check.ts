import { parse as parseYaml } from 'yaml';
import { CLOUD_CONFIG_KEYS, REPORTS_UNKNOWN_KEYS_SINCE } from '../../protocol/cloud-config-keys';

export interface CloudInitWarning {
  level: string;
  message: string;
}

/** True when this cloud-init version (`22.2.2`, `24.1.3-0ubuntu3.3`) is at least `since`. */
function atLeast(version: string, since: readonly [number, number]): boolean {
  const [major = 0, minor = 0] = version.split(/[.-]/).map(Number);
  return major > since[0] || (major === since[0] && minor >= since[1]);
}

/**
 * What the image's cloud-init would list as recoverable errors for this #cloud-config, as the wrapper
 * prints them: from 23.4 on, a top-level key its schema does not know ("Invalid cloud-config provided",
 * then the key `cloud-init schema --system` names); older versions say nothing about it.
 */
export function cloudConfigWarnings(cloudConfig: string, cloudInitVersion: string): CloudInitWarning[] {
  if (!atLeast(cloudInitVersion, REPORTS_UNKNOWN_KEYS_SINCE)) return [];
  let doc: unknown;
  try {
    doc = parseYaml(cloudConfig);
  } catch {
    return [];
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return [];
  const unknown = Object.keys(doc).filter((key) => !CLOUD_CONFIG_KEYS.has(key));
  if (unknown.length === 0) return [];
  const details = unknown
    .map((key) => `${key}: Additional properties are not allowed ('${key}' was unexpected)`)
    .join(', ');
  return [
    {
      level: 'WARNING',
      message:
        "Invalid cloud-config provided: Please run 'sudo cloud-init schema --system' to see the schema errors.",
    },
    { level: 'SCHEMA', message: `Cloud config schema errors: ${details}` },
  ];
}
