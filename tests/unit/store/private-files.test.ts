import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { closePrivateDir, newBakeId } from '../../../src/main/services/store';
import { created, events, projectInput, tempStore } from './helpers';

const modeOf = (path: string) => lstatSync(path).mode & 0o777;

/** Every file and folder under `root` (symlinks not followed), with its permission bits. */
function modes(root: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      out.set(path.slice(root.length + 1), modeOf(path));
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(root);
  return out;
}

describe('what the store writes is the user’s alone', () => {
  let umask: number;
  // The most permissive umask there is: only the modes the store asks for stand between the files and others.
  beforeEach(() => (umask = process.umask(0)));
  afterEach(() => void process.umask(umask));

  test('every file is 0600 and every folder 0700, whatever the umask', async () => {
    const t = await tempStore();
    try {
      const { store } = t;
      await store.projects.create(projectInput('web', { env: { TOKEN_NAME: 'value' } }));
      await store.drafts.save('web', { content: { initScript: 'echo draft' } });
      const id = newBakeId(t.clock);
      await store.bakes.create(created(id));
      await store.bakes.appendEvents(
        id,
        events(
          id,
          1,
          { type: 'console', lines: ['hello from the builder'] },
          { type: 'status', status: 'running' },
        ),
      );
      await store.bakes.flush();
      await store.versions.record({
        project: 'web',
        bakeId: id,
        createdAt: 1,
        profile: 'sandbox',
        region: 'eu-west-1',
        simulated: true,
        imageId: 'ami-0123456789abcdef0',
        imageName: 'web-1',
        snapshotIds: [],
        baseImageId: 'ami-0fedcba9876543210',
        instanceType: 't3.micro',
        initScript: 'echo',
        scriptSha256: 'abc',
        env: {},
        stepDurationsMs: {},
        apiCalls: 1,
        durationMs: 1,
        appVersion: 'test',
        tags: {},
      });
      const found = modes(t.dir);
      // The kinds of file a store holds are all there: the check below covers each.
      for (const kind of [
        /^projects\/web\.yaml$/,
        /events\.jsonl$/,
        /record\.json$/,
        /console\.log$/,
        /owner\.json$/,
        /^drafts\/web\.json$/,
        /^versions\/web\/.+\.json$/,
        /^index\/active-bakes\/bk_/,
      ])
        expect(
          [...found.keys()].some((path) => kind.test(path)),
          String(kind),
        ).toBe(true);
      for (const [path, mode] of found) {
        // Lock directories live for a moment and hold nothing.
        if (path.endsWith('.lock')) continue;
        const isDir = lstatSync(join(t.dir, path)).isDirectory();
        expect(mode.toString(8), path).toBe(isDir ? '700' : '600');
      }
    } finally {
      await t.cleanup();
    }
  });
});

describe('a data directory others can read is closed on start', () => {
  let root: string;
  let outside: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'qx-open-'));
    outside = mkdtempSync(join(tmpdir(), 'qx-outside-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  /** What an older Quadraxis left: 0755 folders, 0644 files. */
  function olderLayout() {
    mkdirSync(join(root, 'projects'), { mode: 0o755 });
    mkdirSync(join(root, 'bakes', 'bk_00000000000000000001'), { recursive: true, mode: 0o755 });
    writeFileSync(join(root, 'projects', 'web.yaml'), 'name: web\n', { mode: 0o644 });
    writeFileSync(join(root, 'bakes', 'bk_00000000000000000001', 'console.log'), 'secret output\n', {
      mode: 0o644,
    });
    writeFileSync(join(root, 'helper.sh'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(outside, 'not-ours'), 'x', { mode: 0o644 });
    // Chromium keeps links like this in the app's user data directory: never followed.
    symlinkSync(join(outside, 'not-ours'), join(root, 'SingletonSocket'));
    for (const dir of [root, join(root, 'projects'), join(root, 'bakes')]) chmodSync(dir, 0o755);
  }

  test('folders become 0700, files lose group and other bits, links and what they point at are left alone', () => {
    olderLayout();
    const report = closePrivateDir(root);
    expect(report.failed).toEqual([]);
    expect(modeOf(root).toString(8)).toBe('700');
    expect(modeOf(join(root, 'projects')).toString(8)).toBe('700');
    expect(modeOf(join(root, 'bakes', 'bk_00000000000000000001')).toString(8)).toBe('700');
    expect(modeOf(join(root, 'projects', 'web.yaml')).toString(8)).toBe('600');
    expect(modeOf(join(root, 'bakes', 'bk_00000000000000000001', 'console.log')).toString(8)).toBe('600');
    expect(modeOf(join(root, 'helper.sh')).toString(8)).toBe('700');
    expect(modeOf(join(outside, 'not-ours')).toString(8)).toBe('644');
    expect(report.fixed).toBe(7);
    // Once closed, the next start only looks at the directory itself.
    expect(closePrivateDir(root)).toEqual({ fixed: 0, failed: [] });
  });

  test('opening the store closes it, and says so once', async () => {
    olderLayout();
    const t = await tempStore({ dataDir: root });
    try {
      expect(modeOf(root).toString(8)).toBe('700');
      expect(modeOf(join(root, 'projects', 'web.yaml')).toString(8)).toBe('600');
      expect(t.warnings).toEqual([expect.stringContaining('was readable by other users')]);
      t.reopen();
      expect(t.warnings).toHaveLength(1);
    } finally {
      await t.cleanup();
    }
  });

  test('a missing directory is left to be created on first write; Windows is left to its ACLs', () => {
    expect(closePrivateDir(join(root, 'missing'))).toEqual({ fixed: 0, failed: [] });
    chmodSync(root, 0o755);
    expect(closePrivateDir(root, 'win32')).toEqual({ fixed: 0, failed: [] });
    expect(modeOf(root).toString(8)).toBe('755');
  });
});
