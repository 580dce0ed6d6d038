import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src/sandbox';
import { ROOT, requireBuild } from '../helpers/paths';

/**
 * The installers, as far as they can be checked without downloading Electron (nothing can be, here): the
 * configuration passes electron-builder's own validation, and `electron-builder --dir` really packs the
 * built app — around a stand-in Electron binary that carries a fuse wire — so what this asserts about the
 * burnt fuses, app.asar and the command line beside it is electron-builder's actual output. What stays
 * unverified (AppImage, deb, dmg and NSIS assembly, signing, a real Electron starting from the asar) is
 * built on hosted runners by .github/workflows/release.yml; README "Packaging" says so.
 */
const run = promisify(execFile);
const require = createRequire(import.meta.url);
const config = parse(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, any>;

// Electron's fuse sentinel, then wire version 1, its length and one byte per fuse ('1' on, '0' off), as
// Electron 45 ships them: RunAsNode, CookieEncryption, NodeOptions, NodeCliInspect, AsarIntegrity,
// OnlyLoadAppFromAsar, V8Snapshot, GrantFileProtocolExtraPrivileges, and one fuse newer than the library.
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ELECTRON_DEFAULT_WIRE = '101100011';

let work: string;
let sandbox: SandboxHandle;
let packed: string;

beforeAll(async () => {
  requireBuild();
  work = mkdtempSync(join(tmpdir(), 'qx-pack-'));
  sandbox = await startSandbox({
    seed: 'packaged-cli',
    timings: {
      pendingMs: 200,
      bootMs: 200,
      scriptDefaultMs: 200,
      shutdownDelayMs: 50,
      stoppingMs: 200,
      shuttingDownMs: 200,
      imagePendingMs: 300,
    },
  });
  // An unpacked Electron for Linux as electron-builder expects one, with a shell script for the binary.
  const dist = join(work, 'electron-dist');
  mkdirSync(join(dist, 'locales'), { recursive: true });
  mkdirSync(join(dist, 'resources'));
  const wire = Buffer.from([1, ELECTRON_DEFAULT_WIRE.length, ...Buffer.from(ELECTRON_DEFAULT_WIRE)]);
  writeFileSync(
    join(dist, 'electron'),
    Buffer.concat([
      Buffer.from('#!/bin/sh\nexit 0\n'),
      Buffer.alloc(64),
      Buffer.from(SENTINEL),
      wire,
      Buffer.alloc(16),
    ]),
  );
  chmodSync(join(dist, 'electron'), 0o755);
  for (const [file, text] of [
    ['version', '45.5.0'],
    ['LICENSE', 'MIT'],
    ['chrome-sandbox', ''],
    ['locales/en-US.pak', ''],
  ])
    writeFileSync(join(dist, file!), text!);

  // What `npm run dist` runs after `npm run build`, with the stand-in and a private output directory.
  await run(process.execPath, [join(ROOT, 'scripts', 'bundle-cli.mjs')], { cwd: ROOT });
  await run(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'electron-builder', 'cli.js'),
      '--linux',
      'dir',
      `-c.electronDist=${dist}`,
      `-c.directories.output=${join(work, 'dist')}`,
      '--publish',
      'never',
    ],
    { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CI: 'true' } },
  );
  packed = join(work, 'dist', 'linux-unpacked');
}, 240_000);

afterAll(async () => {
  await sandbox?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the installers’ configuration', () => {
  it('passes electron-builder’s own schema validation, which does refuse a wrong one', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(
      validateConfiguration(
        { ...config, linux: { ...config.linux, categroy: 'Development' } },
        new DebugLogger(false),
      ),
    ).rejects.toThrow(/configuration\.linux should be/);
  });

  it('builds AppImage and deb, per-arch dmg and NSIS, with the app’s name, icon and category', () => {
    expect(config).toMatchObject({
      productName: 'Quadraxis',
      appId: 'dev.quadraxis.desktop',
      linux: {
        target: ['AppImage', 'deb'],
        category: 'Development',
        icon: 'build/icons',
        executableName: 'quadraxis-app',
      },
      mac: {
        target: [{ target: 'dmg', arch: ['x64', 'arm64'] }],
        category: 'public.app-category.developer-tools',
        icon: 'build/icon.icns',
      },
      win: { target: [{ target: 'nsis', arch: ['x64'] }], icon: 'build/icon.ico' },
    });
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.dist).toBe(
      'npm run build && node scripts/bundle-cli.mjs && electron-builder --publish never',
    );
  });

  it('burns the fuses: no running as Node, no NODE_OPTIONS or inspector, only the integrity-checked asar, encrypted cookies', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
      resetAdHocDarwinSignature: true,
    });
  });

  it('keeps electron-builder’s own deb scripts verbatim and adds the command line’s link', () => {
    const templates = join(dirname(require.resolve('app-builder-lib/package.json')), 'templates', 'linux');
    for (const name of ['after-install.tpl', 'after-remove.tpl']) {
      const ours = readFileSync(join(ROOT, 'build', 'linux', name), 'utf8');
      // Fails when an electron-builder upgrade changes its script: copy the new one above our lines.
      expect(ours.startsWith(readFileSync(join(templates, name), 'utf8')), name).toBe(true);
    }
    expect(readFileSync(join(ROOT, 'build', 'linux', 'after-install.tpl'), 'utf8')).toContain(
      "ln -sf '/opt/${sanitizedProductName}/resources/cli/quadraxis' '/usr/bin/quadraxis'",
    );
  });

  it('has real icons: a 1024 px PNG, Linux sizes, an ICO and an ICNS made of PNGs', () => {
    const png = (file: string) => {
      const data = readFileSync(file);
      expect(data.subarray(1, 4).toString('latin1'), file).toBe('PNG');
      return [data.readUInt32BE(16), data.readUInt32BE(20)];
    };
    expect(png(join(ROOT, 'build', 'icon.png'))).toEqual([1024, 1024]);
    for (const size of [16, 32, 48, 64, 128, 256, 512])
      expect(png(join(ROOT, 'build', 'icons', `${size}x${size}.png`))).toEqual([size, size]);

    const ico = readFileSync(join(ROOT, 'build', 'icon.ico'));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const sizes = Array.from({ length: ico.readUInt16LE(4) }, (_, i) => {
      const entry = 6 + 16 * i;
      const image = ico.subarray(
        ico.readUInt32LE(entry + 12),
        ico.readUInt32LE(entry + 12) + ico.readUInt32LE(entry + 8),
      );
      expect(image.subarray(1, 4).toString('latin1')).toBe('PNG');
      return ico.readUInt8(entry) || 256;
    });
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256]);

    const icns = readFileSync(join(ROOT, 'build', 'icon.icns'));
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const types: string[] = [];
    for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4))
      types.push(icns.subarray(at, at + 4).toString('latin1'));
    expect(types).toEqual(expect.arrayContaining(['icp4', 'ic07', 'ic08', 'ic09', 'ic10']));
  });
});

describe('electron-builder --dir, around a stand-in Electron', { timeout: 120_000 }, () => {
  it('burns the configured fuses into the app’s binary', async () => {
    const fuses = require('@electron/fuses') as {
      getCurrentFuseWire: (path: string) => Promise<Record<string, number>>;
      FuseV1Options: Record<string, string>;
    };
    const wire = await fuses.getCurrentFuseWire(join(packed, 'quadraxis-app'));
    const state = (option: string) => ({ 48: 'off', 49: 'on' })[wire[fuses.FuseV1Options[option]!]!];
    expect({
      RunAsNode: state('RunAsNode'),
      EnableNodeOptionsEnvironmentVariable: state('EnableNodeOptionsEnvironmentVariable'),
      EnableNodeCliInspectArguments: state('EnableNodeCliInspectArguments'),
      EnableEmbeddedAsarIntegrityValidation: state('EnableEmbeddedAsarIntegrityValidation'),
      OnlyLoadAppFromAsar: state('OnlyLoadAppFromAsar'),
      EnableCookieEncryption: state('EnableCookieEncryption'),
      GrantFileProtocolExtraPrivileges: state('GrantFileProtocolExtraPrivileges'),
    }).toEqual({
      RunAsNode: 'off',
      EnableNodeOptionsEnvironmentVariable: 'off',
      EnableNodeCliInspectArguments: 'off',
      EnableEmbeddedAsarIntegrityValidation: 'on',
      OnlyLoadAppFromAsar: 'on',
      EnableCookieEncryption: 'on',
      GrantFileProtocolExtraPrivileges: 'off',
    });
  });

  it('packs the built app into app.asar: main, preload, renderer and the runtime dependencies, no dev tools', () => {
    const asar = require('@electron/asar') as {
      listPackage: (path: string, options: object) => string[];
      extractFile: (path: string, file: string) => Buffer;
    };
    const archive = join(packed, 'resources', 'app.asar');
    const files = asar.listPackage(archive, {}).map((f) => f.replaceAll('\\', '/'));
    for (const file of [
      '/package.json',
      '/out/main/index.js',
      '/out/preload/index.cjs',
      '/out/renderer/index.html',
    ])
      expect(files, file).toContain(file);
    const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString()) as Record<string, unknown>;
    expect(pkg.main).toBe('./out/main/index.js');
    for (const dependency of ['@aws-sdk/client-ec2', 'zod', 'yaml', 'proper-lockfile'])
      expect(files, dependency).toContain(`/node_modules/${dependency}`);
    // Bundled into the renderer, or build tools: never shipped.
    for (const devOnly of [
      'react',
      '@mantine/core',
      'monaco-editor',
      'electron',
      'vite',
      'vitest',
      'electron-builder',
    ])
      expect(files, devOnly).not.toContain(`/node_modules/${devOnly}`);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it('ships the command line beside the app: linked as /usr/bin/quadraxis it bakes on plain Node, no node_modules', async () => {
    const cli = join(packed, 'resources', 'cli');
    expect(existsSync(join(cli, 'quadraxis.cjs'))).toBe(true);
    expect(existsSync(join(cli, 'quadraxis.cmd'))).toBe(true);
    // As the deb's after-install links it; the launcher finds its bundle through the link.
    const bin = join(work, 'usr-bin');
    mkdirSync(bin);
    symlinkSync(join(cli, 'quadraxis'), join(bin, 'quadraxis'));
    const env = {
      PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: work,
      QUADRAXIS_POLL_MS: '100',
      AWS_CONFIG_FILE: join(work, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'none'),
    };
    const version = await run('quadraxis', ['--version'], { cwd: work, env });
    expect(version.stdout.trim()).toBe(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    );
    const baked = await run(
      'quadraxis',
      [
        '--data-dir',
        join(work, 'data'),
        'bake',
        '--file',
        join(ROOT, 'examples', 'nginx-al2023.yaml'),
        '--profile',
        'sandbox',
        '--endpoint',
        sandbox.url,
      ],
      { cwd: work, env },
    );
    expect(baked.stdout.trim().split('\n').at(-1)).toMatch(/^ami-[0-9a-f]+$/);
    const listed = await run('quadraxis', ['--data-dir', join(work, 'data'), 'bakes', '--json'], {
      cwd: work,
      env,
    });
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ status: 'succeeded' })]);

    // Without Node on the PATH it says what it needs instead of failing obscurely.
    const noNode = await run('/bin/sh', [join(bin, 'quadraxis'), '--version'], {
      env: { PATH: '/nonexistent' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(noNode).toMatchObject({
      code: 127,
      stderr: expect.stringContaining('needs Node.js 20.19 or newer'),
    });
  });
});
