import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { InstanceRecord } from '../ec2/records';
import { probeAccel, type Accel, type AccelProbe } from './accel';
import { DiskStore, type DiskNode } from './disk-store';
import { run } from './exec';
import { loadVmImage, type VmImage } from './image';
import { METADATA_ROUTES, type MetadataRoute } from './imds/routes';
import { MirrorProxy } from './mirror-proxy';
import { mirrorHosts, VmOptionsSchema, type VmOptions, type VmSettings } from './options';
import { writeRelay } from './relay';
import { Slots } from './slots';
import type { VmHostCore } from './vm-host-core';
import { VmInstance, type VmInstanceSpec } from './vm-instance';
import { Watchdog } from './watchdog';

export interface VmHostDeps {
  now: () => number;
  log?: (message: string) => void;
  /** Instance metadata beyond EC2's basics (issue 18 adds IAM role credentials here). */
  extraRoutes?: readonly MetadataRoute[];
}

/** Plain facts about the VM mode, for tests, the control API and the CLI's banner. */
export interface VmStatus {
  image: { name: string; disk: string; boot: VmImage['boot']['kind'] };
  accel: Accel;
  accelNotes: string[];
  workDir: string;
  maxVms: number;
  mirror: string[];
  instances: { instanceId: string; pid?: number; dir: string }[];
  /** Disk files the Sandbox made and has not deleted yet (overlays, snapshots). */
  files: string[];
}

/**
 * Runs the Sandbox's VM instances: the image, the accelerator, the VM slots, the disks, the watchdog that
 * reclaims everything if the Sandbox dies, and the proxies guests reach. One per Sandbox.
 */
export class VmHost implements VmHostCore {
  private readonly live = new Set<VmInstance>();
  readonly baseDisk: DiskNode;
  readonly startedAt: number;
  readonly routes: readonly MetadataRoute[];

  private constructor(
    readonly settings: VmSettings,
    readonly image: VmImage,
    private readonly probe: AccelProbe,
    readonly workDir: string,
    readonly watchdog: Watchdog,
    readonly relayPath: string,
    private readonly mirror: MirrorProxy | undefined,
    private readonly deps: VmHostDeps,
  ) {
    this.disks = new DiskStore(workDir);
    this.slots = new Slots(settings.maxVms);
    this.baseDisk = this.disks.external(image.disk, image.diskFormat, image.volumeSizeGiB);
    this.routes = [...METADATA_ROUTES, ...(deps.extraRoutes ?? [])];
    this.startedAt = deps.now();
  }

  readonly disks: DiskStore;
  readonly slots: Slots;

  static async start(options: VmOptions, deps: VmHostDeps): Promise<VmHost> {
    const settings = VmOptionsSchema.parse(options);
    await requireTools(settings.qemu);
    const image = await loadVmImage(settings.image, settings.kernelArgs);
    const probe: AccelProbe =
      settings.accel === 'auto'
        ? await probeAccel(settings.qemu, image.boot)
        : {
            accel: settings.accel === 'kvm' ? { kind: 'kvm', cpu: 'host' } : { kind: 'tcg' },
            notes: [`accelerator set to ${settings.accel}`],
          };
    const parent = settings.workDir ?? tmpdir();
    const workDir = await mkdtemp(join(parent, 'qx-vm-'));
    const watchdog = Watchdog.start(workDir);
    try {
      const relayPath = await writeRelay(workDir);
      const hosts = mirrorHosts(settings.mirror);
      const mirror = hosts ? await MirrorProxy.start(hosts) : undefined;
      return new VmHost(settings, image, probe, workDir, watchdog, relayPath, mirror, deps);
    } catch (error) {
      await watchdog.close();
      throw error;
    }
  }

  get qemu(): string {
    return this.settings.qemu;
  }

  get accel(): Accel {
    return this.probe.accel;
  }

  /** Set once the Sandbox listens: guests reach its SSM and Secrets Manager there (issue 18). */
  awsPort: number | undefined;

  get mirrorPort(): number | undefined {
    return this.mirror?.port;
  }

  get stopTimeoutMs(): number {
    return this.settings.stopTimeoutMs;
  }

  now(): number {
    return this.deps.now();
  }

  log(message: string): void {
    this.deps.log?.(`[vm] ${message}`);
  }

  /** Memory for an instance type: its own, capped so `maxVms` of them fit in half the host's memory. */
  memoryFor(typeMiB: number): number {
    const cap = Math.floor(totalmem() / 2 / 2 ** 20 / this.settings.maxVms);
    return Math.max(256, Math.min(typeMiB, cap));
  }

  /** A launched instance becomes a VM: it boots as soon as a slot is free. */
  launch(record: InstanceRecord, spec: VmInstanceSpec): VmInstance {
    const instance = new VmInstance(this, record, spec);
    this.live.add(instance);
    instance.launch();
    return instance;
  }

  forget(instance: VmInstance): void {
    this.live.delete(instance);
  }

  status(): VmStatus {
    return {
      image: { name: this.image.name, disk: this.image.disk, boot: this.image.boot.kind },
      accel: this.probe.accel,
      accelNotes: this.probe.notes,
      workDir: this.workDir,
      maxVms: this.settings.maxVms,
      mirror: Object.keys(mirrorHosts(this.settings.mirror) ?? {}),
      instances: [...this.live].map((i) => ({
        instanceId: i.record.instanceId,
        ...(i.pid !== undefined ? { pid: i.pid } : {}),
        dir: i.dir,
      })),
      files: this.disks.files(),
    };
  }

  /** Stops every VM and removes every file the VM mode made. */
  async close(): Promise<void> {
    await Promise.all([...this.live].map((i) => i.shutdown()));
    this.live.clear();
    await this.disks.settled();
    await this.mirror?.close();
    await rm(this.workDir, { recursive: true, force: true });
    await this.watchdog.close();
  }
}

async function requireTools(qemu: string): Promise<void> {
  const missing: string[] = [];
  for (const [tool, args] of [
    [qemu, ['--version']],
    ['qemu-img', ['--version']],
    ['bash', ['-c', 'exec 3<> /dev/null']],
  ] as const) {
    await run(tool, args, { timeoutMs: 10_000 }).catch(() => missing.push(tool));
  }
  if (missing.length > 0) {
    throw new Error(
      `the VM mode needs ${missing.join(', ')} (Debian/Ubuntu: apt-get install qemu-system-x86 qemu-utils bash)`,
    );
  }
}
