import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * Bundles a fixture under ./fixtures so a child process can run the real store code (TypeScript) with
 * plain node: dependencies stay external and resolve from the repository's node_modules, hence the output
 * directory under node_modules/.cache.
 */
export async function bundleFixture(name: string): Promise<{ file: string; cleanup: () => Promise<void> }> {
  await mkdir(join(repoRoot, 'node_modules', '.cache'), { recursive: true });
  const dir = await mkdtemp(join(repoRoot, 'node_modules', '.cache', 'qx-store-worker-'));
  const entry = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const output = `${basename(name, '.ts')}.mjs`;
  await build({
    configFile: false,
    logLevel: 'silent',
    root: repoRoot,
    build: {
      ssr: entry,
      outDir: dir,
      emptyOutDir: true,
      minify: false,
      rollupOptions: { output: { format: 'es', entryFileNames: output } },
    },
  });
  return { file: join(dir, output), cleanup: () => rm(dir, { recursive: true, force: true }) };
}
