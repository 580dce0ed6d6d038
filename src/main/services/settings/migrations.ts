import { SETTINGS_SCHEMA_VERSION } from '../../../shared/settings';

type Raw = Record<string, unknown>;

/**
 * One function per schema bump, from version N to N+1, applied in order. A file with no schemaVersion is
 * version 1 (the first release wrote none). Never edit a published step; add a new one.
 */
const STEPS: Record<number, (raw: Raw) => Raw> = {
  // v1 kept `windowBounds` at the top level and knew nothing of bakes or the webhook.
  1: ({ windowBounds, ...rest }) => ({
    ...rest,
    schemaVersion: 2,
    window: { ...(isObject(windowBounds) ? { bounds: windowBounds } : {}), maximized: false },
  }),
};

export class SettingsTooNewError extends Error {}

export function migrateSettings(input: unknown): { raw: Raw; from: number; migrated: boolean } {
  if (!isObject(input)) throw new TypeError('settings are not a JSON object');
  let raw: Raw = input;
  const from = typeof raw.schemaVersion === 'number' ? raw.schemaVersion : 1;
  if (from > SETTINGS_SCHEMA_VERSION) {
    throw new SettingsTooNewError(
      `settings were written by a newer Quadraxis (schema ${from}; this version reads up to ${SETTINGS_SCHEMA_VERSION})`,
    );
  }
  for (let version = from; version < SETTINGS_SCHEMA_VERSION; version++) {
    const step = STEPS[version];
    if (!step) throw new TypeError(`no migration from settings schema ${version}`);
    raw = step(raw);
  }
  return { raw, from, migrated: from !== SETTINGS_SCHEMA_VERSION };
}

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
