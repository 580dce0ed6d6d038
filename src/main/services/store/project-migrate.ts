import { PROJECT_SCHEMA_VERSION } from '../../../shared/project';

export type MigrationResult =
  | { ok: true; value: Record<string, unknown> }
  | {
      ok: false;
      message: string;
      /** Written by a newer Quadraxis: skip it, never quarantine or overwrite it. */ newer: boolean;
    };

/**
 * Each entry turns a project of schemaVersion `n` into `n + 1`. When the format changes, bump
 * PROJECT_SCHEMA_VERSION in src/shared/project.ts and add the step here; old files then load unchanged on
 * disk and are written back in the new format on their next save.
 */
const MIGRATIONS: Readonly<Record<number, (raw: Record<string, unknown>) => Record<string, unknown>>> = {
  // Version 2 only added optional fields: a version 1 file means the same under it.
  1: (raw) => raw,
};

export function migrateProject(raw: Record<string, unknown>): MigrationResult {
  const declared = raw.schemaVersion ?? PROJECT_SCHEMA_VERSION;
  if (typeof declared !== 'number' || !Number.isInteger(declared) || declared < 1) {
    return {
      ok: false,
      newer: false,
      message: `Unknown schemaVersion ${JSON.stringify(declared)}; this Quadraxis reads 1 to ${PROJECT_SCHEMA_VERSION}.`,
    };
  }
  if (declared > PROJECT_SCHEMA_VERSION) {
    return {
      ok: false,
      newer: true,
      message: `This file is schemaVersion ${declared}, from a newer Quadraxis; this one reads up to ${PROJECT_SCHEMA_VERSION}. Update Quadraxis to open it.`,
    };
  }
  let value = raw;
  for (let version = declared; version < PROJECT_SCHEMA_VERSION; version++) {
    const step = MIGRATIONS[version];
    if (!step) return { ok: false, newer: false, message: `No migration from schemaVersion ${version}.` };
    value = { ...step(value), schemaVersion: version + 1 };
  }
  return { ok: true, value };
}
