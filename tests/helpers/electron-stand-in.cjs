'use strict';
/**
 * Plays the Electron binary for `npm start` / `npm run dev` (tests/built/npm-start.test.ts): electron-vite
 * starts it as it would start Electron, with the app's directory as the first argument. It does what
 * Electron does with that — reads package.json's "main" and runs it — with `require('electron')` answered by
 * the stub the built-bundle tests use (QX_STANDIN_STUB, a CommonJS build of tests/helpers/electron-stub.ts),
 * waits for the window to load, looks at what it loaded, quits the app the way a person would, and writes
 * what it saw to QX_STANDIN_RECORD.
 */
const fs = require('node:fs');
const path = require('node:path');

const seen = {
  argv: process.argv.slice(2),
  cwd: process.cwd(),
  rendererUrlEnv: process.env.ELECTRON_RENDERER_URL ?? null,
};
const save = (extra) =>
  fs.writeFileSync(process.env.QX_STANDIN_RECORD, JSON.stringify({ ...seen, ...extra }));

async function pageAt(url, protocolHandlers) {
  const response = url.startsWith('app:')
    ? await protocolHandlers.get('app')(new Request(url))
    : await fetch(url);
  return { status: response.status, body: await response.text() };
}

try {
  const appDir = path.resolve(seen.argv[0]);
  const pkg = JSON.parse(fs.readFileSync(path.join(appDir, 'package.json'), 'utf8'));
  seen.entry = path.resolve(appDir, pkg.main);
  const { createElectronStub } = require(process.env.QX_STANDIN_STUB);
  const { module: electron, state } = createElectronStub();
  const resolved = require.resolve('electron', { paths: [path.dirname(seen.entry)] });
  require.cache[resolved] = { id: resolved, filename: resolved, loaded: true, exports: electron };

  state.app.once('stub:window-loaded', (window) => {
    void pageAt(window.loadedUrl, state.protocolHandlers).then(
      (page) => {
        seen.loadedUrl = window.loadedUrl;
        seen.page = { status: page.status, hasRoot: page.body.includes('<div id="root">') };
        seen.ipcChannels = state.ipcHandlers.size;
        state.app.emit('before-quit', { preventDefault: () => undefined });
      },
      (error) => {
        save({ error: String(error) });
        process.exit(1);
      },
    );
  });
  state.app.once('stub:quit', () => {
    save({ quit: true });
    process.exit(0);
  });
  state.app.once('stub:exit', (code) => {
    save({ exit: code, errorBoxes: state.errorBoxes });
    process.exit(code || 1);
  });
  require(seen.entry);
  state.app.fireReady();
} catch (error) {
  save({ error: String(error && error.stack ? error.stack : error) });
  process.exit(1);
}
