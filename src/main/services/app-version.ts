declare const __QUADRAXIS_VERSION__: string | undefined;

/** Injected by the build (electron.vite.config.ts); the fallback serves unit tests run from source. */
export const APP_VERSION: string =
  typeof __QUADRAXIS_VERSION__ === 'string' ? __QUADRAXIS_VERSION__ : '0.0.0-dev';
