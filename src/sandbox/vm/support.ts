import { run } from './exec';
import { loadVmImage } from './image';

export interface VmSupport {
  /** QEMU's system emulator and qemu-img are installed (and bash, which relays guest connections). */
  qemu: { available: boolean; version?: string; missing: string[] };
  /** The image, when one was given: what it would be registered as, or why it cannot be used. */
  image?: { ok: true; name: string; boot: 'kernel' | 'firmware' } | { ok: false; error: string };
}

/**
 * Whether this machine can run the VM mode, and with which image — what the app asks before offering
 * "Run on a local VM". Reads only: versions, and the image's manifest or disk header.
 */
export async function inspectVmSupport(
  options: { image?: string; kernelArgs?: string; qemu?: string } = {},
): Promise<VmSupport> {
  const qemu = options.qemu ?? 'qemu-system-x86_64';
  const missing: string[] = [];
  let version: string | undefined;
  try {
    const { stdout } = await run(qemu, ['--version'], { timeoutMs: 10_000 });
    version = /version (\S+)/.exec(stdout)?.[1];
  } catch {
    missing.push(qemu);
  }
  await run('qemu-img', ['--version'], { timeoutMs: 10_000 }).catch(() => missing.push('qemu-img'));
  await run('bash', ['-c', 'exit 0'], { timeoutMs: 10_000 }).catch(() => missing.push('bash'));
  const support: VmSupport = {
    qemu: { available: missing.length === 0, ...(version ? { version } : {}), missing },
  };
  if (options.image === undefined) return support;
  try {
    const image = await loadVmImage(options.image, options.kernelArgs);
    return { ...support, image: { ok: true, name: image.name, boot: image.boot.kind } };
  } catch (error) {
    return {
      ...support,
      image: { ok: false, error: error instanceof Error ? error.message : String(error) },
    };
  }
}
