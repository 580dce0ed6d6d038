import { execFile } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { resolve } from 'node:path';

/**
 * Builds the Debian 12 test image with `scripts/vm-image/build.sh` (about a minute from Debian's mirror), or
 * finds it in the cache (instant), and hands its directory to the tests as `QX_VM_IMAGE`. A prebuilt image
 * can be given the same way (`QX_VM_IMAGE=/path npm test`).
 */
export default async function setup(project: TestProject): Promise<void> {
  let image = process.env.QX_VM_IMAGE;
  if (!image) {
    const root = resolve(import.meta.dirname, '..', '..');
    const started = Date.now();
    const stdout = await new Promise<string>((done, fail) =>
      execFile(
        'bash',
        [resolve(root, 'scripts', 'vm-image', 'build.sh')],
        { maxBuffer: 64 * 1024 * 1024 },
        (error, out, err) =>
          error ? fail(new Error(`vm:image failed: ${err.slice(-4000) || error.message}`)) : done(out),
      ),
    );
    image = stdout.trim().split('\n').at(-1)!;
    process.stderr.write(`[vm] image ${image} ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  project.provide('vmImage', image);
}

declare module 'vitest' {
  export interface ProvidedContext {
    vmImage: string;
  }
}
