import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/main/services/clock';
import { jsonFileSettingsBackend } from '../../../src/main/services/settings/json-file-backend';
import { migrateSettings } from '../../../src/main/services/settings/migrations';
import {
  createSettingsService,
  quarantineUnreadableSettings,
} from '../../../src/main/services/settings/settings-service';
import { SETTINGS_SCHEMA_VERSION, SettingsPatchSchema } from '../../../src/shared/settings';

function tempFile() {
  return join(mkdtempSync(join(tmpdir(), 'qx-settings-')), 'settings.json');
}

describe('settings', () => {
  it('migrates a version-1 file (no schemaVersion, top-level windowBounds) and writes it back', () => {
    const file = tempFile();
    writeFileSync(
      file,
      JSON.stringify({
        profile: 'prod',
        theme: 'dark',
        windowBounds: { x: 1, y: 2, width: 1000, height: 700 },
      }),
    );
    const service = createSettingsService(jsonFileSettingsBackend(file));
    expect(service.get()).toMatchObject({
      schemaVersion: SETTINGS_SCHEMA_VERSION,
      profile: 'prod',
      theme: 'dark',
      window: { bounds: { x: 1, y: 2, width: 1000, height: 700 }, maximized: false },
      bakes: { concurrencyPerRegion: 4 },
    });
    expect(JSON.parse(readFileSync(file, 'utf8'))).not.toHaveProperty('windowBounds');
  });

  it('refuses a file from a newer version rather than guessing', () => {
    expect(() => migrateSettings({ schemaVersion: SETTINGS_SCHEMA_VERSION + 1 })).toThrow(/newer Quadraxis/);
  });

  it('moves an unreadable file aside with a notice and leaves readable ones alone', () => {
    const clock = new VirtualClock(Date.UTC(2026, 10, 26, 12));
    const good = tempFile();
    writeFileSync(good, JSON.stringify({ schemaVersion: 2, theme: 'light' }));
    expect(quarantineUnreadableSettings(good, clock)).toBeUndefined();

    for (const content of [
      '{"theme":',
      '[1,2]',
      JSON.stringify({ schemaVersion: 2, theme: 'neon' }),
      JSON.stringify({ schemaVersion: 99 }),
    ]) {
      const file = tempFile();
      writeFileSync(file, content);
      const notice = quarantineUnreadableSettings(file, clock);
      expect(notice?.level).toBe('warning');
      const dir = readdirSync(join(file, '..'));
      expect(dir).toEqual([expect.stringMatching(/^settings\.corrupt-2026-11-26T12-00-00-000Z\.json$/)]);
      expect(readFileSync(join(file, '..', dir[0]!), 'utf8')).toBe(content);
    }
  });

  it('changes only what a nested patch names (no defaults sneak in)', () => {
    const service = createSettingsService(jsonFileSettingsBackend(tempFile()));
    // Through the schema, as the IPC handler sees it.
    const patch = (raw: unknown) => service.update(SettingsPatchSchema.parse(raw));
    expect(SettingsPatchSchema.parse({ bakes: { notifyWhenDone: false } })).toEqual({
      bakes: { notifyWhenDone: false },
    });
    patch({ bakes: { concurrencyPerRegion: 9 }, webhook: { enabled: true, port: 9000 } });
    patch({ bakes: { notifyWhenDone: false } });
    patch({ webhook: { port: 9001 } });
    expect(() => SettingsPatchSchema.parse({ bakes: { extra: 1 } })).toThrow();
    expect(service.get().bakes).toEqual({
      concurrencyPerRegion: 9,
      scriptTimeoutMinutes: 30,
      notifyWhenDone: false,
    });
    expect(service.get().webhook).toEqual({
      enabled: true,
      host: '127.0.0.1',
      port: 9001,
      tls: { certFile: '', keyFile: '' },
      publicUrl: '',
      insecure: false,
    });
  });

  it('applies partial updates, clears with null, notifies listeners and persists', () => {
    const file = tempFile();
    const service = createSettingsService(jsonFileSettingsBackend(file));
    const seen: string[] = [];
    service.onChange((s) => seen.push(s.theme));
    service.update({ profile: 'dev', bakes: { concurrencyPerRegion: 8 } });
    service.update({ theme: 'dark', profile: null });
    expect(service.get()).toMatchObject({
      theme: 'dark',
      bakes: { concurrencyPerRegion: 8, scriptTimeoutMinutes: 30 },
    });
    expect(service.get().profile).toBeUndefined();
    expect(seen).toEqual(['system', 'dark']);
    expect(createSettingsService(jsonFileSettingsBackend(file)).get()).toEqual(service.get());
  });
});
