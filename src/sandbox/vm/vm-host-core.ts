import type { Accel } from './accel';
import type { DiskStore } from './disk-store';
import type { MetadataRoute } from './imds/routes';
import type { Slots } from './slots';
import type { VmInstance } from './vm-instance';
import type { Watchdog } from './watchdog';

/** What a VM instance needs from the host that runs it (the VmHost; tests may give a stand-in). */
export interface VmHostCore {
  readonly workDir: string;
  readonly qemu: string;
  readonly accel: Accel;
  readonly slots: Slots;
  readonly disks: DiskStore;
  readonly watchdog: Watchdog;
  readonly relayPath: string;
  readonly routes: readonly MetadataRoute[];
  /** The mirror proxy's loopback port, when guests may reach a mirror. */
  readonly mirrorPort: number | undefined;
  /** The Sandbox's own loopback port (its AWS endpoint), forwarded to guests at SANDBOX_AWS_GUEST_ADDRESS. */
  readonly awsPort: number | undefined;
  readonly stopTimeoutMs: number;
  now(): number;
  log(message: string): void;
  /** A terminated instance is no longer the host's to stop. */
  forget(instance: VmInstance): void;
}
