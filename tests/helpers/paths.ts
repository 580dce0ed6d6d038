import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
// QUADRAXIS_OUT_DIR: a private build (`electron-vite build --outDir`), so concurrent builds cannot swap it mid-run.
export const OUT = process.env.QUADRAXIS_OUT_DIR ? resolve(process.env.QUADRAXIS_OUT_DIR) : join(ROOT, 'out');
export const MAIN_BUNDLE = join(OUT, 'main', 'index.js');
export const CLI_BIN = join(ROOT, 'bin', 'quadraxis.cjs');
export const PRELOAD_BUNDLE = join(OUT, 'preload', 'index.cjs');
export const RENDERER_DIR = join(OUT, 'renderer');

/** The built suites need `npm run build`; say so plainly instead of failing on a missing file. */
export function requireBuild(): void {
  for (const file of [MAIN_BUNDLE, PRELOAD_BUNDLE, join(RENDERER_DIR, 'index.html')]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` before this suite.`);
  }
}
