import { defineConfig } from 'vitest/config';

// `npm run test:electron`: the real Electron app through Playwright's _electron. Needs the Electron binary,
// which this repository's CI machine does not have; `npm test` does not run it.
export default defineConfig({
  test: {
    name: 'electron',
    environment: 'node',
    include: ['tests/electron/**/*.electron.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
