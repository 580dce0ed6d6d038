#!/usr/bin/env node
// The command line for the installers: out/main/cli.js (built by `npm run build`) with every package it
// requires inlined into one file, out/cli/quadraxis.cjs, that runs on a plain Node.js with no node_modules.
// It ships beside the app (electron-builder.yml, extraResources), not inside app.asar, because the packaged
// Electron cannot run it: the RunAsNode fuse is off, and plain Node cannot read an asar archive.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(ROOT, 'out', 'main', 'cli.js');
if (!existsSync(entry)) {
  process.stderr.write(`bundle-cli: ${entry} is missing: run \`npm run build\` first.\n`);
  process.exit(1);
}

await build({
  configFile: false,
  root: ROOT,
  logLevel: 'warn',
  ssr: { noExternal: true, target: 'node' },
  build: {
    ssr: entry,
    outDir: join(ROOT, 'out', 'cli'),
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: false,
    rollupOptions: {
      output: { format: 'cjs', entryFileNames: 'quadraxis.cjs', codeSplitting: false },
    },
  },
});
process.stdout.write(`bundle-cli: ${join('out', 'cli', 'quadraxis.cjs')}\n`);
