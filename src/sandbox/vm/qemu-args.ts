import type { Accel } from './accel';
import type { VmBoot } from './image';
import { GUEST_NET } from './options';

/** A TCP address inside the guests' network whose connections QEMU hands to a command (one per connection). */
export interface GuestForward {
  address: string;
  port: number;
  /** Run by QEMU under /bin/sh -c, its stdin and stdout being the connection. */
  command: string;
}

export interface MachineSpec {
  accel: Accel;
  memoryMiB: number;
  /** The instance's own copy-on-write disk. */
  disk: string;
  boot: VmBoot;
  /** The serial port's output, appended across boots (one instance, one console). */
  consolePath: string;
  /** A Unix socket the Sandbox listens on; QEMU connects to it for QMP. */
  qmpSocket: string;
  mac: string;
  /** `ec2…` UUID: with the same value as the serial number, cloud-init recognises EC2. */
  smbiosUuid: string;
  instanceType: string;
  forwards: GuestForward[];
}

/**
 * The QEMU command line for one instance. Choices worth knowing:
 *   - user-mode networking with `restrict=on`: the guest reaches nothing but the forwarded addresses
 *     (instance metadata, and the mirror proxy when opted in), whatever it tries;
 *   - `cache=unsafe`: the disk is a throwaway overlay, flushes are not worth their cost under TCG, and the
 *     host's page cache still holds every write when QEMU exits;
 *   - no `-no-reboot`: a guest that reboots comes back up, as an EC2 instance does;
 *   - one vCPU whatever the instance type (on a 2-core machine shared by two VMs, more would only contend).
 */
export function qemuArgs(spec: MachineSpec): string[] {
  const machine = `q35,accel=${spec.accel.kind}`;
  const args = [
    '-name',
    `quadraxis-${spec.smbiosUuid}`,
    '-machine',
    machine,
    ...(spec.accel.kind === 'kvm' && spec.accel.cpu === 'host' ? ['-cpu', 'host'] : []),
    '-smp',
    '1',
    '-m',
    String(spec.memoryMiB),
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-rtc',
    'base=utc',
    '-smbios',
    option('type=1', {
      manufacturer: 'Amazon EC2',
      product: spec.instanceType,
      serial: spec.smbiosUuid,
      uuid: spec.smbiosUuid,
    }),
    '-chardev',
    option('file', { id: 'console0', path: spec.consolePath, append: 'on' }),
    '-serial',
    'chardev:console0',
    '-chardev',
    option('socket', { id: 'qmp0', path: spec.qmpSocket }),
    '-mon',
    'chardev=qmp0,mode=control',
    '-drive',
    option('if=virtio', {
      file: spec.disk,
      format: 'qcow2',
      cache: 'unsafe',
      discard: 'unmap',
    }),
    '-netdev',
    option('user', {
      id: 'net0',
      net: GUEST_NET,
      restrict: 'on',
      ipv6: 'off',
      ...Object.fromEntries(
        spec.forwards.map((f, i) => [`guestfwd#${i}`, `tcp:${f.address}:${f.port}-cmd:${f.command}`]),
      ),
    }),
    '-device',
    option('virtio-net-pci', { netdev: 'net0', mac: spec.mac }),
    // Entropy for a guest that would otherwise wait for it (cloud-init, Python, ssh keys) on a quiet VM.
    '-device',
    'virtio-rng-pci',
  ];
  if (spec.boot.kind === 'kernel') {
    args.push('-kernel', spec.boot.kernel, '-initrd', spec.boot.initrd, '-append', spec.boot.cmdline);
  }
  return args;
}

/**
 * `kind,key=value,…` with QEMU's escaping: a comma inside a value is written twice. `guestfwd#n` keys stand
 * for repeated `guestfwd=` entries.
 */
function option(kind: string, values: Record<string, string>): string {
  const parts = Object.entries(values).map(
    ([key, value]) => `${key.replace(/#\d+$/, '')}=${value.replace(/,/g, ',,')}`,
  );
  return [kind, ...parts].join(',');
}

/** A locally administered unicast MAC derived from the instance id (stable across stop and start). */
export function macFor(instanceId: string): string {
  const hex = instanceId.replace(/^i-/, '').padEnd(10, '0');
  const bytes = [0x0a, ...[0, 2, 4, 6, 8].map((i) => parseInt(hex.slice(i, i + 2), 16))];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** EC2's product UUIDs start with `ec2`; the rest comes from the instance id. */
export function smbiosUuidFor(instanceId: string): string {
  const hex = `ec2${instanceId.replace(/^i-/, '')}`.padEnd(32, '0').slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
