import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const pkg = JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8')) as { version: string };
const define = { __QUADRAXIS_VERSION__: JSON.stringify(pkg.version) };

// These publish ESM only; the main and CLI bundles are CommonJS, so they are bundled rather than required.
const esmOnlyDeps = ['electron-store', '@octokit/webhooks-methods'];

export default defineConfig({
  main: {
    define,
    build: {
      externalizeDeps: { exclude: esmOnlyDeps },
      rollupOptions: {
        // The CLI rides in the main build: same services, same bundle settings, no Electron at run time.
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/cli/index.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require() anything but a few Electron modules: ship one CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    define,
    plugins: [react()],
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
      // electron-vite leaves bundles unminified; the renderer's first load is what a person waits for.
      minify: true,
      chunkSizeWarningLimit: 4096,
    },
  },
});
