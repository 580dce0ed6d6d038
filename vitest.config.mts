import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

// Four suites, one runner: `unit` runs plain TypeScript services in Node; `built` loads the electron-vite
// output (main under a stub electron, the sandboxed preload, the CLI bundle); `e2e` drives the built
// renderer in Debian's Chromium through the test bridge; `vm` bakes on real QEMU VMs through the Sandbox's
// VM mode. `built`, `e2e` and `vm` need `npm run build` first.
export default defineConfig({
  // The same constant the build injects, so services run from source report the real version.
  define: { __QUADRAXIS_VERSION__: JSON.stringify(pkg.version) },
  test: {
    // The pinned AWS SDK warns on Node 20 that later releases will need Node 22; the CLI silences it the same way.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['tests/unit/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'built',
          environment: 'node',
          include: ['tests/built/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One Chromium at a time: the machine has two cores and the flows measure responsiveness.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'vm',
          environment: 'node',
          include: ['tests/vm/**/*.test.ts'],
          // Builds the Debian test image once (or finds it cached) and probes KVM; see tests/vm/global-setup.ts.
          globalSetup: ['tests/vm/global-setup.ts'],
          // Real VMs under TCG: a boot to power-off is ~40 s on an idle 2-core machine, minutes on a busy one.
          testTimeout: 45 * 60_000,
          hookTimeout: 5 * 60_000,
          // One file at a time, two tests at once inside it: two VMs, the Sandbox's cap and the machine's cores.
          fileParallelism: false,
          maxConcurrency: 2,
          // After the other suites: VMs would otherwise take the cores the e2e flows' timings depend on.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
