import { z } from 'zod';

/**
 * The Sandbox's real-VM mode: instances of the image's AMI are QEMU virtual machines. Validated at the
 * Sandbox's door (startSandbox), so the CLI, the app and tests get the same errors for the same mistakes.
 */
export const MirrorHostsSchema = z.record(
  z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/i, 'a host name'),
  z.url({ protocol: /^http$/, error: 'an http:// origin the proxy forwards to' }),
);
export type MirrorHosts = z.infer<typeof MirrorHostsSchema>;

/** What `mirror: true` lets guests reach: Debian's package mirror, and nothing else. */
export const DEBIAN_MIRROR: MirrorHosts = { 'deb.debian.org': 'http://deb.debian.org' };

export const VmOptionsSchema = z.strictObject({
  /**
   * A directory made by `npm run vm:image` (with image.json, a kernel and an initrd: direct kernel boot) or a
   * bootable cloud disk image (qcow2 or raw, booted through its own bootloader).
   */
  image: z.string().min(1),
  /** Replaces the image's kernel command line (direct-boot images only), e.g. to make tty0 the last console. */
  kernelArgs: z.string().min(1).max(2048).optional(),
  /** VMs running at once; further launches wait in `pending`. Default 2 (this machine kind has 2 cores). */
  maxVms: z.number().int().min(1).max(64).default(2),
  /**
   * Opt-in: guests may reach a package mirror through the Sandbox's allow-listing proxy at
   * 169.254.169.251:3142. `true` is Debian's mirror; a map names each host a guest may ask for and the
   * origin it is fetched from (tests point a name at a local apt repository). Default: no outbound traffic.
   */
  mirror: z.union([z.boolean(), MirrorHostsSchema]).default(false),
  /** `auto` probes KVM for real and falls back to TCG. */
  accel: z.enum(['auto', 'kvm', 'tcg']).default('auto'),
  /** Where instance disks, snapshots and consoles live (default: a fresh directory under the OS temp dir). */
  workDir: z.string().min(1).optional(),
  /** The QEMU system emulator (default `qemu-system-x86_64` on PATH). */
  qemu: z.string().min(1).default('qemu-system-x86_64'),
  /** After an ACPI power-down request, how long the guest gets before QEMU is stopped hard. */
  stopTimeoutMs: z.number().int().min(1_000).max(600_000).default(60_000),
});
export type VmOptions = z.input<typeof VmOptionsSchema>;
export type VmSettings = z.output<typeof VmOptionsSchema>;

export function mirrorHosts(mirror: VmSettings['mirror']): MirrorHosts | undefined {
  if (mirror === false) return undefined;
  return mirror === true ? DEBIAN_MIRROR : mirror;
}

/** Addresses inside the guests' user network (QEMU requires forwarded addresses to lie within it). */
export const GUEST_NET = '169.254.169.0/24';
export const IMDS_ADDRESS = '169.254.169.254';
export const MIRROR_PROXY_ADDRESS = '169.254.169.251';
export const MIRROR_PROXY_PORT = 3142;
