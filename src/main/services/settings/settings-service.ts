import { existsSync, readFileSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SettingsSchema, defaultSettings, type Settings, type SettingsPatch } from '../../../shared/settings';
import { describeZodError } from '../../../shared/result';
import type { Notice } from '../../../shared/notice';
import type { Clock } from '../clock';
import { migrateSettings } from './migrations';

/** Where settings live: electron-store in the app; a plain JSON file in the test bridge. */
export interface SettingsBackend {
  read(): unknown;
  write(settings: Settings): void;
}

export interface SettingsService {
  get(): Settings;
  update(patch: SettingsPatch): Settings;
  /** For main's own keys (window state), which the renderer may not set. */
  replace(next: Settings): Settings;
  onChange(listener: (settings: Settings) => void): () => void;
}

/**
 * Makes sure the settings file at `file` is readable before the backend opens it. A file that is not JSON,
 * does not match the schema, or comes from a newer version is moved aside to `settings.corrupt-<time>.json`
 * (never deleted, so nothing is silently dropped) and the caller gets a notice to show.
 */
export function quarantineUnreadableSettings(file: string, clock: Clock): Notice | undefined {
  if (!existsSync(file)) return undefined;
  let problem: string | undefined;
  try {
    const { raw } = migrateSettings(JSON.parse(readFileSync(file, 'utf8')));
    const parsed = SettingsSchema.safeParse(raw);
    if (!parsed.success) problem = describeZodError(parsed.error);
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  if (!problem) return undefined;
  const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, '-');
  const backup = join(dirname(file), `${basename(file, '.json')}.corrupt-${stamp}.json`);
  renameSync(file, backup);
  return {
    id: `settings-corrupt-${stamp}`,
    level: 'warning',
    title: 'Settings were reset',
    message: `Your settings file could not be read (${problem}). It was kept as ${backup} and the defaults are in use.`,
    at: clock.now(),
  };
}

export function createSettingsService(backend: SettingsBackend): SettingsService {
  const listeners = new Set<(settings: Settings) => void>();
  const initial = backend.read();
  let current: Settings = defaultSettings();
  if (initial && typeof initial === 'object' && Object.keys(initial).length > 0) {
    const { raw, migrated } = migrateSettings(initial);
    current = SettingsSchema.parse(raw);
    if (migrated) backend.write(current);
  } else {
    backend.write(current);
  }

  const commit = (next: Settings): Settings => {
    current = SettingsSchema.parse(next);
    backend.write(current);
    for (const listener of listeners) listener(current);
    return current;
  };

  return {
    get: () => current,
    update(patch) {
      const { profile, region, bakes, webhook, sandbox, ...rest } = patch;
      const next: Settings = { ...current, ...rest };
      if (profile !== undefined) next.profile = profile ?? undefined;
      if (region !== undefined) next.region = region ?? undefined;
      if (bakes) next.bakes = { ...current.bakes, ...bakes };
      if (webhook) next.webhook = { ...current.webhook, ...webhook };
      if (sandbox?.vm) next.sandbox = { ...current.sandbox, vm: { ...current.sandbox.vm, ...sandbox.vm } };
      return commit(next);
    },
    replace: commit,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
