import type { QuadraxisApi } from '../shared/api';

declare global {
  interface Window {
    /** Built by src/preload/index.ts from the contract; provided by the test bridge in e2e tests. */
    readonly quadraxis: QuadraxisApi;
  }
}

export {};
