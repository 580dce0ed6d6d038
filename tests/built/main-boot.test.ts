import { once } from 'node:events';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS } from '../../src/shared/channels';
import { invokeContract } from '../../src/shared/contract';
import {
  createElectronStub,
  loadWithElectronStub,
  StubBrowserWindow,
  StubFrame,
} from '../helpers/electron-stub';
import { MAIN_BUNDLE, RENDERER_DIR, requireBuild } from '../helpers/paths';

function directives(policy: string): Map<string, string> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...values] = d.split(/\s+/);
        return [name!, values.join(' ')] as const;
      }),
  );
}

async function boot(
  options: { userData?: string; singleInstance?: boolean; rendererUrl?: string; packaged?: boolean } = {},
) {
  const stub = createElectronStub(options.userData);
  if (options.singleInstance === false) stub.state.app.singleInstance = false;
  if (options.packaged) stub.state.app.isPackaged = true;
  // Set for the whole start, as the environment of a real process would be, whenever main reads it.
  if (options.rendererUrl) process.env.ELECTRON_RENDERER_URL = options.rendererUrl;
  try {
    loadWithElectronStub(MAIN_BUNDLE, stub.module);
    if (options.singleInstance === false) return { ...stub, window: undefined };
    const loaded = once(stub.state.app, 'stub:window-loaded');
    const exited = once(stub.state.app, 'stub:exit').then(([code]: unknown[]) => {
      throw new Error(`main exited with ${String(code)}: ${JSON.stringify(stub.state.errorBoxes)}`);
    });
    stub.state.app.fireReady();
    const [window] = (await Promise.race([loaded, exited])) as [StubBrowserWindow];
    return { ...stub, window };
  } finally {
    delete process.env.ELECTRON_RENDERER_URL;
  }
}

function trustedEvent(window: StubBrowserWindow) {
  return { sender: window.webContents, senderFrame: window.webContents.mainFrame };
}

describe('the built main process, booted under a stub electron', () => {
  beforeAll(() => {
    requireBuild();
    // Each boot loads the bundle afresh, and with it a signal-exit hook per boot.
    process.setMaxListeners(50);
  });

  it('creates a hardened window that loads the renderer from app://quadraxis', async () => {
    const { window } = await boot();
    const prefs = window!.options.webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    });
    expect(prefs.preload).toMatch(/preload[/\\]index\.cjs$/);
    expect(existsSync(prefs.preload)).toBe(true);
    expect(window!.loadedUrl).toBe('app://quadraxis/index.html');
  });

  it('serves the renderer with a strict CSP header that matches the page meta tag', async () => {
    const { state } = await boot();
    const handler = state.protocolHandlers.get('app')!;
    expect(state.privilegedSchemes).toEqual([
      expect.objectContaining({
        scheme: 'app',
        privileges: expect.objectContaining({ standard: true, secure: true }),
      }),
    ]);
    const response = await handler(new Request('app://quadraxis/index.html'));
    expect(response.status).toBe(200);
    const header = directives(response.headers.get('content-security-policy')!);
    expect(header.get('default-src')).toBe("'self'");
    expect(header.get('script-src')).toBe("'self'");
    expect(header.get('worker-src')).toBe("'self' blob:");
    expect(header.get('object-src')).toBe("'none'");
    expect(response.headers.get('content-security-policy')).not.toContain('unsafe-eval');

    const html = readFileSync(join(RENDERER_DIR, 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBeDefined();
    // Every directive a meta tag can carry must agree with the header (frame-ancestors is header-only).
    for (const [name, value] of directives(meta!)) expect(header.get(name), name).toBe(value);
    header.delete('frame-ancestors');
    expect([...header.keys()].sort()).toEqual([...directives(meta!).keys()].sort());

    const traversal = await handler(new Request('app://quadraxis/..%2F..%2Fmain%2Findex.js'));
    expect(traversal.status).toBe(404);
    const foreignHost = await handler(new Request('app://elsewhere/index.html'));
    expect(foreignHost.status).toBe(404);
    // A malformed % escape is a page that does not exist, not an exception thrown into Electron.
    for (const bad of ['app://quadraxis/%E0%A4%A', 'app://quadraxis/%', 'app://quadraxis/assets/%zz.js'])
      expect((await handler(new Request(bad))).status, bad).toBe(404);
  });

  it('never loads or trusts a foreign page named by ELECTRON_RENDERER_URL', async () => {
    const { window, state } = await boot({ rendererUrl: 'https://evil.example/' });
    expect(window!.loadedUrl).toBe('app://quadraxis/index.html');
    // Had it loaded, its frames would be refused on every channel, and navigating there too.
    const settings = state.ipcHandlers.get('settings:get')!;
    window!.webContents.mainFrame.url = 'https://evil.example/';
    expect(await settings(trustedEvent(window!), undefined)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN_SENDER' },
    });
    expect(window!.webContents.emitCancellable('will-navigate', 'https://evil.example/')).toBe(true);
  });

  it('takes electron-vite’s loopback dev server only when not packaged', async () => {
    const dev = await boot({ rendererUrl: 'http://localhost:5173/' });
    expect(dev.window!.loadedUrl).toBe('http://localhost:5173/');
    const installed = await boot({ rendererUrl: 'http://localhost:5173/', packaged: true });
    expect(installed.window!.loadedUrl).toBe('app://quadraxis/index.html');
    expect(installed.window!.webContents.emitCancellable('will-navigate', 'http://localhost:5173/')).toBe(
      true,
    );
  });

  it('refuses window.open, navigation away, webviews and permission requests', async () => {
    const { window, state } = await boot();
    const contents = window!.webContents;
    expect(contents.windowOpenHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    expect(contents.emitCancellable('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.emitCancellable('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.emitCancellable('will-navigate', 'app://quadraxis/index.html')).toBe(false);
    expect(contents.emitCancellable('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.emitCancellable('will-attach-webview', {}, {})).toBe(true);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const granted = await new Promise<boolean>((resolve) =>
        state.permissionRequestHandler!(contents, permission, resolve),
      );
      expect(granted, permission).toBe(false);
      expect(state.permissionCheckHandler!(contents, permission), permission).toBe(false);
    }
    expect(state.permissionCheckHandler!(contents, 'clipboard-sanitized-write')).toBe(true);
  });

  it('registers exactly one handler for every invoke channel of the contract', async () => {
    const { state } = await boot();
    expect([...state.ipcHandlers.keys()].sort()).toEqual(Object.keys(invokeContract).sort());
    expect([...INVOKE_CHANNELS].sort()).toEqual(Object.keys(invokeContract).sort());
  });

  it('says why and exits when it cannot start, instead of leaving a process with no window', async () => {
    const userData = join(mkdtempSync(join(tmpdir(), 'qx-boot-')), 'not-a-directory');
    writeFileSync(userData, 'a file where the data directory should be');
    const stub = createElectronStub(userData);
    loadWithElectronStub(MAIN_BUNDLE, stub.module);
    const exited = once(stub.state.app, 'stub:exit');
    stub.state.app.fireReady();
    expect(await exited).toEqual([1]);
    expect(stub.state.errorBoxes).toEqual([
      { title: 'Quadraxis could not start', content: expect.stringContaining('not-a-directory') },
    ]);
    expect(StubBrowserWindow.instances).toEqual([]);
  });

  it('answers the window and refuses a foreign sender before reading its payload', async () => {
    const { window, state } = await boot();
    const handler = state.ipcHandlers.get('settings:get')!;
    const ours = (await handler(trustedEvent(window!), undefined)) as {
      ok: boolean;
      value: { theme: string };
    };
    expect(ours.ok).toBe(true);
    expect(ours.value.theme).toBe('system');

    const subframe = {
      sender: window!.webContents,
      senderFrame: new StubFrame('app://quadraxis/index.html'),
    };
    const foreignPage = {
      sender: window!.webContents,
      senderFrame: { ...window!.webContents.mainFrame, url: 'https://evil.example/' },
    };
    const otherContents = { sender: { id: 9999 }, senderFrame: new StubFrame('app://quadraxis/index.html') };
    for (const event of [
      subframe,
      foreignPage,
      otherContents,
      { sender: window!.webContents, senderFrame: null },
    ]) {
      expect(await handler(event, undefined)).toEqual({
        ok: false,
        error: { code: 'FORBIDDEN_SENDER', message: expect.any(String) },
      });
    }
    // Same frame object but navigated elsewhere: refused too.
    window!.webContents.mainFrame.url = 'https://evil.example/';
    expect(await handler(trustedEvent(window!), undefined)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN_SENDER' },
    });
  });

  it('validates payloads: a malformed settings update is refused and changes nothing', async () => {
    const { window, state } = await boot();
    const update = state.ipcHandlers.get('settings:update')!;
    const bad = (await update(trustedEvent(window!), { theme: 'purple', extra: 1 })) as {
      ok: boolean;
      error: { code: string };
    };
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const get = state.ipcHandlers.get('settings:get')!;
    expect(await get(trustedEvent(window!), undefined)).toMatchObject({
      ok: true,
      value: { theme: 'system' },
    });
    const good = await update(trustedEvent(window!), { theme: 'dark' });
    expect(good).toMatchObject({ ok: true, value: { theme: 'dark' } });
    expect(state.themeSource).toBe('dark');
  });

  it('opens only allowlisted https links in the browser', async () => {
    const { window, state } = await boot();
    const open = state.ipcHandlers.get('app:open-external')!;
    const refused = await open(trustedEvent(window!), 'http://console.aws.amazon.com/ec2');
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await open(trustedEvent(window!), 'https://evil.example/')).toMatchObject({ ok: false });
    expect(await open(trustedEvent(window!), 'https://eu-west-1.console.aws.amazon.com/ec2/home')).toEqual({
      ok: true,
      value: { opened: true },
    });
    // Hosts differ by parser: refused, not "cleaned up" and opened.
    expect(await open(trustedEvent(window!), 'https://console.aws.amazon.com\\@evil.example/')).toMatchObject(
      { ok: false, error: { code: 'INVALID_INPUT' } },
    );
    expect(state.openedExternal).toEqual(['https://eu-west-1.console.aws.amazon.com/ec2/home']);
  });

  it('queues events until the renderer is ready and never sends to a destroyed window', async () => {
    const { window, state } = await boot();
    const contents = window!.webContents;
    const update = state.ipcHandlers.get('settings:update')!;
    await update(trustedEvent(window!), { theme: 'light' });
    expect(contents.sent).toEqual([]);
    await state.ipcHandlers.get('app:ready')!(trustedEvent(window!), undefined);
    expect(contents.sent.map((e) => e.channel)).toEqual(['settings:changed']);
    contents.destroyed = true;
    await update(trustedEvent(window!), { theme: 'dark' });
    expect(contents.sent).toHaveLength(1);
  });

  it('backs up a corrupt settings file, starts with defaults and tells the user', async () => {
    const userData = mkdtempSync(join(tmpdir(), 'qx-corrupt-'));
    writeFileSync(join(userData, 'settings.json'), '{"theme": "dark",');
    const { window, state } = await boot({ userData });
    const ready = (await state.ipcHandlers.get('app:ready')!(trustedEvent(window!), undefined)) as {
      value: { notices: { title: string; message: string }[] };
    };
    expect(ready.value.notices).toEqual([expect.objectContaining({ title: 'Settings were reset' })]);
    const backups = readdirSync(userData).filter((f) => f.startsWith('settings.corrupt-'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(userData, backups[0]!), 'utf8')).toBe('{"theme": "dark",');
    expect(JSON.parse(readFileSync(join(userData, 'settings.json'), 'utf8'))).toMatchObject({
      theme: 'system',
    });
  });

  it('makes a data directory others could read private, and rotates an oversized main.log', async () => {
    // What an older version left: 0755 folders, 0644 files, and a log that only ever grew.
    const userData = mkdtempSync(join(tmpdir(), 'qx-open-data-'));
    mkdirSync(join(userData, 'projects'), { mode: 0o755 });
    mkdirSync(join(userData, 'logs'), { mode: 0o755 });
    writeFileSync(join(userData, 'projects', 'web.yaml'), 'name: web\n', { mode: 0o644 });
    const oldLog = `${'{"level":"info","message":"an old line"}\n'.repeat(140_000)}`;
    writeFileSync(join(userData, 'logs', 'main.log'), oldLog, { mode: 0o644 });
    for (const path of [userData, join(userData, 'projects'), join(userData, 'logs')]) chmodSync(path, 0o755);
    for (const path of ['projects/web.yaml', 'logs/main.log']) chmodSync(join(userData, path), 0o644);
    expect(oldLog.length).toBeGreaterThan(5 * 1024 * 1024);

    const { window, state } = await boot({ userData });
    await state.ipcHandlers.get('settings:update')!(trustedEvent(window!), { theme: 'dark' });
    const mode = (path: string) => (statSync(join(userData, path)).mode & 0o777).toString(8);
    expect(mode('.')).toBe('700');
    for (const dir of ['projects', 'logs']) expect(mode(dir), dir).toBe('700');
    for (const file of ['projects/web.yaml', 'logs/main.log', 'logs/main.log.1', 'settings.json'])
      expect(mode(file), file).toBe('600');
    // The old log moved aside whole; the live one starts afresh, under the cap.
    expect(readFileSync(join(userData, 'logs', 'main.log.1'), 'utf8')).toBe(oldLog);
    expect(statSync(join(userData, 'logs', 'main.log')).size).toBeLessThan(64 * 1024);
  });

  it('asks before a close that unsaved edits would block, and lets the person choose', async () => {
    const { window, state } = await boot();
    state.dialogResponse = 1; // Keep editing
    expect(window!.webContents.emitCancellable('will-prevent-unload')).toBe(false);
    state.dialogResponse = 0; // Close anyway
    expect(window!.webContents.emitCancellable('will-prevent-unload')).toBe(true);
    expect(state.dialogs).toHaveLength(2);
  });

  it('closes the services before quitting when no bake is running', async () => {
    const { state } = await boot();
    let prevented = false;
    const quit = once(state.app, 'stub:quit');
    state.app.emit('before-quit', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    expect(state.app.quitCalled).toBe(false);
    await quit;
    expect(state.dialogs).toEqual([]);
  });

  it('asks before quitting with a sandbox bake running, and cancelling cleans it up first', async () => {
    const { window, state } = await boot();
    const call = (channel: string, request?: unknown) =>
      state.ipcHandlers.get(channel)!(trustedEvent(window!), request) as Promise<{ ok: boolean; value: any }>;
    const created = await call('projects:create', {
      project: {
        name: 'quit-test',
        baseImage: {
          kind: 'ssm',
          parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
        },
        initScript: '#!/bin/sh\necho hello\n',
      },
    });
    expect(created.ok).toBe(true);
    const started = await call('bake:start', { project: 'quit-test', profile: 'sandbox' });
    expect(started).toMatchObject({ ok: true, value: { status: expect.stringMatching(/queued|running/) } });

    state.dialogResponse = 0; // Keep baking
    let prevented = false;
    state.app.emit('before-quit', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    await expect.poll(() => state.dialogs.length).toBe(1);
    expect(state.dialogs[0]).toMatchObject({ buttons: ['Keep baking', 'Cancel the bake and quit'] });
    expect(state.app.quitCalled).toBe(false);

    state.dialogResponse = 1; // Cancel the bake and quit
    const quit = once(state.app, 'stub:quit');
    state.app.emit('before-quit', { preventDefault: () => undefined });
    await quit;
    const record = (await call('bake:get', started.value.id)).value.record;
    expect(record.status).toBe('cancelled');
  });

  it('quits at once when another instance holds the lock', async () => {
    const { state } = await boot({ singleInstance: false });
    expect(state.app.quitCalled).toBe(true);
    expect(StubBrowserWindow.instances).toHaveLength(0);
  });
});
