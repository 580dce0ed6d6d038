import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { run } from './exec';

/** image.json, as `npm run vm:image` (scripts/vm-image/build.sh) writes it. */
const ManifestSchema = z.object({
  format: z.literal(1),
  name: z.string().regex(/^[A-Za-z0-9()[\] ./\-'@_]{3,128}$/),
  description: z.string().max(255).default(''),
  architecture: z.literal('x86_64'),
  disk: z.string().min(1),
  kernel: z.string().min(1),
  initrd: z.string().min(1),
  cmdline: z.string().min(1),
  volumeSizeGiB: z.number().int().min(1).max(16384),
});

export type VmBoot =
  /** QEMU loads the kernel and initrd itself: fast, and the command line is ours to set. */
  | { kind: 'kernel'; kernel: string; initrd: string; cmdline: string }
  /** The disk boots through its own bootloader (a distribution's cloud image). */
  | { kind: 'firmware' };

export interface VmImage {
  /** The AMI name it is registered under. */
  name: string;
  description: string;
  distro: 'debian' | 'ubuntu' | 'al2023';
  /** Absolute path of the base disk (never written: instances get copy-on-write overlays). */
  disk: string;
  diskFormat: 'qcow2' | 'raw';
  volumeSizeGiB: number;
  boot: VmBoot;
}

/**
 * Reads the image the Sandbox was given: a directory from `npm run vm:image`, or a cloud disk image file.
 * Refuses clearly what QEMU could not boot, before any launch.
 */
export async function loadVmImage(path: string, kernelArgs?: string): Promise<VmImage> {
  const info = await stat(path).catch(() => {
    throw new Error(`VM image ${path} does not exist`);
  });
  const absolute = await realpath(path);
  return info.isDirectory() ? fromDirectory(absolute, kernelArgs) : fromDiskFile(absolute, kernelArgs);
}

async function fromDirectory(dir: string, kernelArgs?: string): Promise<VmImage> {
  const manifestPath = join(dir, 'image.json');
  const text = await readFile(manifestPath, 'utf8').catch(() => {
    throw new Error(
      `${dir} has no image.json: give a directory made by \`npm run vm:image\` or a cloud image file (.qcow2, .raw)`,
    );
  });
  let manifest: z.output<typeof ManifestSchema>;
  try {
    manifest = ManifestSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new Error(`${manifestPath} is not a VM image manifest: ${errorText(error)}`, { cause: error });
  }
  const file = (name: string) => join(dir, name);
  for (const name of [manifest.disk, manifest.kernel, manifest.initrd]) {
    await stat(file(name)).catch(() => {
      throw new Error(
        `${manifestPath} names ${name}, which is missing: rebuild with \`npm run vm:image -- --force\``,
      );
    });
  }
  return {
    name: manifest.name,
    description: manifest.description,
    distro: 'debian',
    disk: file(manifest.disk),
    diskFormat: 'qcow2',
    volumeSizeGiB: manifest.volumeSizeGiB,
    boot: {
      kind: 'kernel',
      kernel: file(manifest.kernel),
      initrd: file(manifest.initrd),
      cmdline: kernelArgs ?? manifest.cmdline,
    },
  };
}

const QemuImgInfoSchema = z.object({ format: z.string(), 'virtual-size': z.number().int().positive() });

async function fromDiskFile(file: string, kernelArgs?: string): Promise<VmImage> {
  if (kernelArgs !== undefined) {
    throw new Error(
      'kernel arguments apply to images from `npm run vm:image` (QEMU boots their kernel directly); a cloud image boots through its own bootloader, whose command line is inside the image',
    );
  }
  const { stdout } = await run('qemu-img', ['info', '--output=json', file]);
  const info = QemuImgInfoSchema.parse(JSON.parse(stdout));
  if (info.format !== 'qcow2' && info.format !== 'raw') {
    throw new Error(`${file} is a ${info.format} image; the Sandbox boots qcow2 or raw cloud images`);
  }
  const { size, mtimeMs } = await stat(file);
  const hash = createHash('sha256').update(`${file}\0${size}\0${mtimeMs}`).digest('hex').slice(0, 12);
  const stem = basename(file)
    .replace(/\.(qcow2|img|raw)$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 96);
  return {
    name: `local-${stem}-${hash}`,
    description: `Local cloud image ${basename(file)}`,
    distro: /ubuntu/i.test(stem) ? 'ubuntu' : /amzn|al2023|amazon/i.test(stem) ? 'al2023' : 'debian',
    disk: file,
    diskFormat: info.format,
    volumeSizeGiB: Math.ceil(info['virtual-size'] / 2 ** 30),
    boot: { kind: 'firmware' },
  };
}

function errorText(error: unknown): string {
  if (error instanceof z.ZodError)
    return error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
  return error instanceof Error ? error.message : String(error);
}
