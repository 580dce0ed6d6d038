import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, constants, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { run } from './exec';
import type { VmBoot } from './image';

export type Accel = { kind: 'kvm'; cpu: 'host' | 'default' } | { kind: 'tcg' };

export interface AccelProbe {
  accel: Accel;
  /** What was tried and why it was not taken, for the Sandbox's log and the README's figures. */
  notes: string[];
}

/** A working KVM boots a kernel to its panic in about a second; a broken nested one spins or aborts. */
const PROBE_TIMEOUT_MS = 10_000;
/** isa-debug-exit turns the boot sector's `out 0xf4, 0x31` into QEMU's exit status (0x31 << 1) | 1. */
const BOOT_SECTOR_EXIT = 99;

const probes = new Map<string, Promise<AccelProbe>>();

/**
 * KVM when it really works, else TCG. `/dev/kvm` being there proves little: nested KVM can open it and then
 * fail on the first MSR (`-cpu host`) or spin on the first instruction (the default CPU). So the probe runs a
 * guest for real — the image's own kernel up to its "no root" panic, or (for a cloud disk image) a boot
 * sector that writes to a debug port. A failed probe costs its 10 s deadline, so the verdict is kept for
 * this boot of the host (per QEMU version and kernel), in memory and in a file under the temp directory.
 */
export function probeAccel(qemu: string, boot: VmBoot): Promise<AccelProbe> {
  const key = `${qemu}\0${boot.kind === 'kernel' ? boot.kernel : 'boot-sector'}`;
  let probe = probes.get(key);
  if (!probe) {
    probe = cachedProbe(qemu, boot);
    probes.set(key, probe);
  }
  return probe;
}

const CachedProbeSchema = z.object({
  accel: z.union([
    z.object({ kind: z.literal('kvm'), cpu: z.enum(['host', 'default']) }),
    z.object({ kind: z.literal('tcg') }),
  ]),
  notes: z.array(z.string()),
});

async function cachedProbe(qemu: string, boot: VmBoot): Promise<AccelProbe> {
  const file = await cacheFile(qemu, boot).catch(() => undefined);
  if (file) {
    const cached = CachedProbeSchema.safeParse(
      await readFile(file, 'utf8').then(
        (text) => JSON.parse(text) as unknown,
        () => undefined,
      ),
    );
    if (cached.success)
      return { ...cached.data, notes: [...cached.data.notes, '(probed earlier since this boot)'] };
  }
  const probe = await runProbes(qemu, boot);
  if (file) {
    const temporary = `${file}.${process.pid}`;
    await writeFile(temporary, JSON.stringify(probe))
      .then(() => rename(temporary, file))
      .catch(() => rm(temporary, { force: true }));
  }
  return probe;
}

/** Keyed by what decides the verdict: this boot of the host, the QEMU build, and the kernel probed. */
async function cacheFile(qemu: string, boot: VmBoot): Promise<string> {
  const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  const { stdout: version } = await run(qemu, ['--version'], { timeoutMs: 10_000 });
  const kernel =
    boot.kind === 'kernel' ? `${boot.kernel}\0${(await stat(boot.kernel)).mtimeMs}` : 'boot-sector';
  const hash = createHash('sha256').update(`${bootId}\0${qemu}\0${version}\0${kernel}`).digest('hex');
  return join(tmpdir(), `quadraxis-accel-${hash.slice(0, 16)}.json`);
}

async function runProbes(qemu: string, boot: VmBoot): Promise<AccelProbe> {
  const notes: string[] = [];
  try {
    await access('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return { accel: { kind: 'tcg' }, notes: ['/dev/kvm is missing or not accessible: TCG'] };
  }
  for (const cpu of ['host', 'default'] as const) {
    const failure = await tryKvm(qemu, boot, cpu);
    if (failure === undefined) return { accel: { kind: 'kvm', cpu }, notes };
    notes.push(`KVM with the ${cpu} CPU model: ${failure}`);
  }
  notes.push('falling back to TCG (software emulation)');
  return { accel: { kind: 'tcg' }, notes };
}

/** Undefined when a guest ran to its expected end under KVM; otherwise what went wrong. */
async function tryKvm(qemu: string, boot: VmBoot, cpu: 'host' | 'default'): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'qx-kvm-probe-'));
  try {
    const log = join(dir, 'serial.log');
    const args = [
      '-machine',
      boot.kind === 'kernel' ? 'q35,accel=kvm' : 'pc,accel=kvm',
      ...(cpu === 'host' ? ['-cpu', 'host'] : []),
      '-m',
      '128',
      '-nodefaults',
      '-no-user-config',
      '-display',
      'none',
      '-no-reboot',
      '-serial',
      `file:${log}`,
    ];
    if (boot.kind === 'kernel') {
      args.push('-kernel', boot.kernel, '-append', 'console=ttyS0 panic=-1');
    } else {
      const sector = Buffer.alloc(512);
      Buffer.from([0xb0, 0x31, 0xe6, 0xf4, 0xf4, 0xeb, 0xfd]).copy(sector);
      sector.writeUInt16LE(0xaa55, 510);
      await writeFile(join(dir, 'boot.img'), sector);
      args.push(
        '-device',
        'isa-debug-exit,iobase=0xf4,iosize=0x04',
        '-drive',
        `file=${join(dir, 'boot.img')},format=raw,if=ide`,
      );
    }
    const { code, signal, stderr } = await runWithDeadline(qemu, args, PROBE_TIMEOUT_MS);
    if (signal === 'SIGKILL' && code === null) return `no progress within ${PROBE_TIMEOUT_MS / 1000} s`;
    if (boot.kind === 'firmware') {
      return code === BOOT_SECTOR_EXIT ? undefined : `exit ${code ?? signal}: ${lastLine(stderr)}`;
    }
    const serial = await readFile(log, 'utf8').catch(() => '');
    if (code === 0 && serial.includes('Kernel panic')) return undefined;
    return `exit ${code ?? signal}: ${lastLine(stderr) || 'the kernel did not run'}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function runWithDeadline(
  file: string,
  args: string[],
  deadlineMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4096)));
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((l) => !/warning: host doesn't support/.test(l))
      .at(-1) ?? ''
  );
}
