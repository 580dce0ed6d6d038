#!/usr/bin/env node
// `npm start` and `npm run dev`: make sure the Electron binary is there, then run electron-vite with it.
//
// Electron 45 downloads its binary the first time `require('electron')` resolves the path (no postinstall
// any more), but electron-vite reads node_modules/electron/path.txt itself and stops with "Electron
// uninstall" when the download never happened. So the path is resolved here, through Electron's own code
// in a child process — which downloads when needed and honours ELECTRON_OVERRIDE_DIST_PATH, ELECTRON_MIRROR
// and the rest of @electron/get's variables — and handed to electron-vite as ELECTRON_EXEC_PATH.
// Plain Node on purpose: this runs before anything is built.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MODES = new Set(['preview', 'dev']);
const LOG = join(ROOT, 'node_modules', '.cache', 'quadraxis', 'electron-download.log');

/** One line on stderr, then exit: what went wrong and what to do, never a stack. */
function fail(message) {
  process.stderr.write(`npm start: ${message}\n`);
  process.exit(1);
}

function electronVersion() {
  try {
    return JSON.parse(
      readFileSync(createRequire(join(ROOT, 'package.json')).resolve('electron/package.json')),
    ).version;
  } catch {
    return fail('the electron package is not installed: run `npm install` first.');
  }
}

/** The first "SomethingError: message" line of a failed download's output: its reason, in a few words. */
function reasonOf(output) {
  const line = output
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /^[A-Za-z]*Error: /.test(l) && !l.includes('Electron failed to install correctly'));
  const reason = line ? line.replace(/^[A-Za-z]*Error: /, '') : 'no reason given';
  // Node's fetch keeps the real cause (DNS, refused, TLS) out of the message Electron's installer prints.
  return reason === 'fetch failed' ? 'no connection to the download server' : reason;
}

/**
 * Bytes of the Electron zip downloaded so far: @electron/get writes it into a fresh electron-download-*
 * directory under the temp directory (the same one the child sees) and removes that directory when done.
 */
function downloadedBytes(since, version) {
  let total = 0;
  for (const entry of readdirSync(tmpdir(), { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith('electron-download-')) continue;
    const dir = join(tmpdir(), entry.name);
    try {
      if (statSync(dir).mtimeMs < since - 1000) continue;
      for (const file of readdirSync(dir))
        if (file.startsWith(`electron-v${version}-`)) total += statSync(join(dir, file)).size;
    } catch {
      // Removed while we looked: the download just finished.
    }
  }
  return total;
}

/** Shows how far the download got while the child runs: one line redrawn on a terminal, a line every 10 s otherwise. */
function showProgress(version) {
  const since = Date.now();
  const tty = process.stderr.isTTY;
  let shown = 0;
  const timer = setInterval(
    () => {
      const bytes = downloadedBytes(since, version);
      if (bytes === 0) return;
      const text = `Downloading Electron ${version} (once): ${(bytes / 1048576).toFixed(1)} MB`;
      if (tty) process.stderr.write(`\r${text}`);
      else process.stderr.write(`${text}\n`);
      shown = bytes;
    },
    tty ? 500 : 10_000,
  );
  return () => {
    clearInterval(timer);
    if (tty && shown > 0) process.stderr.write('\n');
  };
}

/**
 * Electron's own answer to "where is the binary", from `require('electron')` in a child process. The path
 * comes back on fd 3, so the child's stdout ("Downloading Electron binary...") reaches the person as it is
 * and its stderr (a download failure's stack) is kept for the log.
 */
function resolveElectron(version) {
  const code = `require('node:fs').writeSync(3, require('node:module').createRequire(${JSON.stringify(
    join(ROOT, 'package.json'),
  )})('electron'))`;
  return new Promise((done) => {
    const child = spawn(process.execPath, ['-e', code], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'pipe', 'pipe'],
    });
    const stopProgress = showProgress(version);
    let path = '';
    let errors = '';
    child.stdio[3].on('data', (chunk) => (path += String(chunk)));
    child.stderr.on('data', (chunk) => (errors += String(chunk)));
    child.on('error', (error) => {
      stopProgress();
      fail(`could not run Node to find Electron: ${error.message}`);
    });
    child.on('close', (code) => {
      stopProgress();
      done({ ok: code === 0 && path !== '', path, errors });
    });
  });
}

async function electronPath() {
  // electron-vite's own variable: a binary someone points at on purpose is used as it is.
  const given = process.env.ELECTRON_EXEC_PATH;
  if (given) {
    if (!existsSync(given)) fail(`ELECTRON_EXEC_PATH is ${given}, which does not exist.`);
    return given;
  }
  const version = electronVersion();
  const { ok, path, errors } = await resolveElectron(version);
  if (ok && existsSync(path)) return path;
  if (ok && process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    fail(
      `ELECTRON_OVERRIDE_DIST_PATH is ${process.env.ELECTRON_OVERRIDE_DIST_PATH}, which has no ${path}: point it at an unpacked Electron ${version}.`,
    );
  }
  if (ok)
    fail(
      `Electron resolved to ${path}, which does not exist: delete node_modules/electron and run \`npm install\`.`,
    );
  mkdirSync(dirname(LOG), { recursive: true });
  writeFileSync(LOG, errors);
  return fail(
    `Electron ${version} is not downloaded yet, and downloading it failed (${reasonOf(errors)}). ` +
      'Connect to the internet and run it again — or set ELECTRON_MIRROR to a mirror you can reach, or ' +
      `ELECTRON_OVERRIDE_DIST_PATH to a folder holding Electron ${version}. Details: ${relative(ROOT, LOG)}`,
  );
}

async function main() {
  const [mode, ...rest] = process.argv.slice(2);
  if (!MODES.has(mode)) fail(`usage: node scripts/start-electron.mjs preview|dev [electron-vite options]`);
  const electron = await electronPath();
  const bin = join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const child = spawn(process.execPath, [bin, mode, ...rest], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_EXEC_PATH: electron },
  });
  // Ctrl-C reaches the whole process group; a signal sent to this process alone is passed on. Either way
  // electron-vite (and the app under it) ends first, and its exit code is ours.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('error', (error) => fail(`could not start electron-vite: ${error.message}`));
  child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

await main();
