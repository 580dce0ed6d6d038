import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshCopy } from '../helpers/fresh-copy';
import { ROOT } from '../helpers/paths';
import { zipFiles } from '../helpers/zip';

/**
 * The README's first command on a fresh machine: the real `npm start` (and `npm run dev`) in a fresh copy of
 * the repository, whose electron package has never downloaded its binary. ELECTRON_OVERRIDE_DIST_PATH —
 * Electron's own variable, honoured by `require('electron')` — points at a stand-in `electron` executable
 * that boots the built main bundle under the stub electron and records what it was started with.
 */
interface Seen {
  argv: string[];
  cwd: string;
  entry?: string;
  loadedUrl?: string;
  rendererUrlEnv: string | null;
  page?: { status: number; hasRoot: boolean };
  ipcChannels?: number;
  quit?: boolean;
  error?: string;
}

let copy: string;
let work: string;

beforeAll(async () => {
  copy = freshCopy();
  work = mkdtempSync(join(tmpdir(), 'qx-standin-'));
  // The stub electron of the built-bundle tests, as CommonJS the stand-in can require.
  await build({
    configFile: false,
    logLevel: 'silent',
    root: ROOT,
    build: {
      ssr: join(ROOT, 'tests', 'helpers', 'electron-stub.ts'),
      outDir: join(work, 'stub'),
      minify: false,
      target: 'node20',
      rollupOptions: { output: { format: 'cjs', entryFileNames: 'electron-stub.cjs' } },
    },
  });
  const standIn = readFileSync(join(ROOT, 'tests', 'helpers', 'electron-stand-in.cjs'), 'utf8');
  // Electron's index.js joins the override with path.txt's name, which on Linux is "electron".
  writeFileSync(join(work, 'electron'), `#!${process.execPath}\n${standIn}`);
  chmodSync(join(work, 'electron'), 0o755);
}, 120_000);

afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

function npm(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn('npm', args, {
    cwd: copy,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      QUADRAXIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'qx-start-data-')),
      // Never the network, whatever a test forgets: an unreachable mirror and an empty download cache.
      ELECTRON_MIRROR: 'http://127.0.0.1:9/',
      electron_config_cache: mkdtempSync(join(tmpdir(), 'qx-electron-cache-')),
      ...env,
    },
  });
  const output = { out: '', err: '' };
  child.stdout.on('data', (chunk) => (output.out += String(chunk)));
  child.stderr.on('data', (chunk) => (output.err += String(chunk)));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { output, exited };
}

const standInEnv = (record: string) => ({
  ELECTRON_OVERRIDE_DIST_PATH: work,
  QX_STANDIN_STUB: join(work, 'stub', 'electron-stub.cjs'),
  QX_STANDIN_RECORD: record,
});

describe('npm start on a fresh machine', { timeout: 180_000 }, () => {
  it('builds the app and starts Electron with its entry point, found through Electron’s own resolution', async () => {
    expect(existsSync(join(copy, 'out'))).toBe(false);
    expect(existsSync(join(copy, 'node_modules', 'electron', 'path.txt'))).toBe(false);
    const record = join(work, 'start.json');
    const started = Date.now();
    const run = npm(['start'], standInEnv(record));
    const code = await run.exited;
    expect(code, `${run.output.out}\n${run.output.err}`).toBe(0);

    // The build ran, in the copy, just now.
    expect(run.output.out).toMatch(/out\/main\/index\.js\s/);
    expect(run.output.out).toContain('starting electron app');
    const main = join(copy, 'out', 'main', 'index.js');
    expect(statSync(main).mtimeMs).toBeGreaterThanOrEqual(started - 1000);
    for (const built of ['preload/index.cjs', 'renderer/index.html', 'main/cli.js'])
      expect(existsSync(join(copy, 'out', built)), built).toBe(true);

    // The stand-in was started as Electron: the app's directory, whose package.json names the bundle.
    const seen = JSON.parse(readFileSync(record, 'utf8')) as Seen;
    expect(seen.error).toBeUndefined();
    expect(seen.argv[0]).toBe('.');
    expect(resolve(seen.cwd)).toBe(resolve(copy));
    expect(seen.entry).toBe(main);
    // …and the bundle really started: a window on the built renderer, every IPC channel, a clean quit.
    expect(seen.loadedUrl).toBe('app://quadraxis/index.html');
    expect(seen.page).toEqual({ status: 200, hasRoot: true });
    expect(seen.ipcChannels).toBeGreaterThan(20);
    expect(seen.quit).toBe(true);
    // Electron's package was only asked, never changed: no download, no path.txt.
    expect(existsSync(join(copy, 'node_modules', 'electron', 'path.txt'))).toBe(false);
  });

  it('npm run dev serves the renderer from the dev server, which the unpackaged app loads', async () => {
    const record = join(work, 'dev.json');
    const run = npm(['run', 'dev'], standInEnv(record));
    const code = await run.exited;
    expect(code, `${run.output.out}\n${run.output.err}`).toBe(0);
    const seen = JSON.parse(readFileSync(record, 'utf8')) as Seen;
    expect(seen.error).toBeUndefined();
    expect(seen.rendererUrlEnv).toMatch(/^http:\/\/(localhost|127\.0\.0\.1|\[::1\]):\d+\/?$/);
    expect(seen.loadedUrl).toBe(new URL(seen.rendererUrlEnv!).href);
    expect(seen.page).toEqual({ status: 200, hasRoot: true });
    expect(seen.quit).toBe(true);
  });

  it('offline, fails at once with one line that says what to do, before building anything', async () => {
    rmSync(join(copy, 'out'), { recursive: true, force: true });
    const run = npm(['start'], {});
    const code = await run.exited;
    expect(code).toBe(1);
    // npm adds its own "npm error …" lines about the failed script; everything else is ours.
    const lines = run.output.err
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('npm error'));
    expect(lines, run.output.err).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^npm start: Electron \d+\.\d+\.\d+ is not downloaded yet, and downloading it failed/,
    );
    expect(lines[0]).toContain('Connect to the internet');
    expect(lines[0]).toContain('ELECTRON_MIRROR');
    expect(run.output.out).not.toMatch(/^\s+at /m);
    expect(existsSync(join(copy, 'out'))).toBe(false);
    // The whole story is kept for whoever wants it.
    const log = readFileSync(
      join(copy, 'node_modules', '.cache', 'quadraxis', 'electron-download.log'),
      'utf8',
    );
    expect(log).toMatch(/Error/);
  });

  it('with a download server it can reach, downloads Electron through Electron’s own code, then starts it', async () => {
    // A mirror (ELECTRON_MIRROR, as @electron/get supports) standing in for GitHub's releases: an Electron zip
    // holding the stand-in, and its checksum list (official zips are checked against the package's own list).
    const version = (
      JSON.parse(readFileSync(join(copy, 'node_modules', 'electron', 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    const name = `electron-v${version}-linux-${process.arch}.zip`;
    const zip = zipFiles([
      { name: 'electron', data: readFileSync(join(work, 'electron')), mode: 0o755 },
      { name: 'version', data: Buffer.from(version), mode: 0o644 },
    ]);
    const sums = `${createHash('sha256').update(zip).digest('hex')} *${name}\n`;
    const requests: string[] = [];
    const server = createServer((request, response) => {
      requests.push(request.url ?? '');
      if (request.url === `/v${version}/${name}`) response.end(zip);
      else if (request.url === `/v${version}/SHASUMS256.txt`) response.end(sums);
      else response.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const record = join(work, 'downloaded.json');
      const run = npm(['start'], {
        ELECTRON_MIRROR: `http://127.0.0.1:${port}/`,
        electron_use_remote_checksums: '1',
        QX_STANDIN_STUB: join(work, 'stub', 'electron-stub.cjs'),
        QX_STANDIN_RECORD: record,
      });
      const code = await run.exited;
      expect(code, `${run.output.out}\n${run.output.err}`).toBe(0);
      expect(requests).toContain(`/v${version}/${name}`);
      expect(run.output.out).toContain('Downloading Electron binary');
      // Installed where Electron's own code puts it, for every later start (and for npm run test:electron).
      const electronDir = join(copy, 'node_modules', 'electron');
      expect(readFileSync(join(electronDir, 'path.txt'), 'utf8')).toBe('electron');
      const seen = JSON.parse(readFileSync(record, 'utf8')) as Seen;
      expect(seen.error).toBeUndefined();
      expect(seen.argv[0]).toBe('.');
      expect(seen.loadedUrl).toBe('app://quadraxis/index.html');
      expect(seen.quit).toBe(true);

      // The next start finds it: no second download.
      requests.length = 0;
      const again = npm(['start'], {
        QX_STANDIN_STUB: join(work, 'stub', 'electron-stub.cjs'),
        QX_STANDIN_RECORD: record,
      });
      expect(await again.exited).toBe(0);
      expect(requests).toEqual([]);
    } finally {
      server.close();
    }
  });
});
