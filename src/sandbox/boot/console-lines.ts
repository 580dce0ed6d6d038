import type { Architecture, Distro } from '../catalogue/base-images';

/** A line on the serial console and the (simulated) moment it was printed. */
export interface ConsoleLine {
  at: number;
  text: string;
}

export interface MachineFacts {
  instanceId: string;
  distro: Distro;
  architecture: Architecture;
  privateIp: string;
  region: string;
}

const KERNEL: Record<Distro, string> = {
  al2023: '6.1.112-122.189.amzn2023',
  ubuntu: '6.8.0-1016-aws',
  debian: '6.1.0-26-cloud',
  windows: '10.0.20348',
};
/** The cloud-init each image ships (Windows has none: EC2Launch v2 runs its user data). */
const CLOUD_INIT: Record<Distro, string> = {
  al2023: '22.2.2',
  ubuntu: '24.1.3-0ubuntu3.3',
  debian: '22.4.2',
  windows: '',
};

export function cloudInitVersion(distro: Distro): string {
  return CLOUD_INIT[distro];
}
export const CLOUD_INIT_PID = 1602;

/** Formats console text the way the kernel stamps it: seconds since this boot, `[   12.345678] `. */
export class ConsoleWriter {
  constructor(
    readonly lines: ConsoleLine[],
    readonly bootStart: number,
  ) {}

  print(at: number, text: string): void {
    const uptime = (Math.max(0, at - this.bootStart) / 1000).toFixed(6).padStart(12);
    this.lines.push({ at, text: `[${uptime}] ${text}` });
  }

  /** Output of cloud-init and of the scripts it runs, as journald forwards it to the console. */
  cloudInit(at: number, text: string): void {
    this.print(at, `cloud-init[${CLOUD_INIT_PID}]: ${text}`);
  }
}

/** A Windows instance: EC2Launch v2's lines on the console (no cloud-init; it ignores shell user data). */
export function printWindowsBoot(out: ConsoleWriter, bootMs: number): void {
  const at = (fraction: number) => out.bootStart + Math.round(bootMs * fraction);
  const line = (when: number, text: string) =>
    out.lines.push({
      at: when,
      text: `${new Date(when).toISOString().slice(0, 19).replace(/-/g, '/').replace('T', ' ')}Z: ${text}`,
    });
  line(at(0.2), 'Windows sysprep configuration complete.');
  line(at(0.4), 'Message: Waiting for access to metadata...');
  line(at(0.5), 'Message: Meta-data is now available.');
  line(at(0.6), `OS: Microsoft Windows NT ${KERNEL.windows}`);
  line(
    at(0.7),
    'Message: User data format: unrecognized; only <powershell>, <script> and YAML tasks are run',
  );
  line(at(1), 'Message: Windows is Ready to use');
}

/** Kernel and systemd boot up to cloud-init's `init` stage, spread over the first part of `bootMs`. */
export function printKernelBoot(out: ConsoleWriter, m: MachineFacts, bootMs: number): void {
  const at = (fraction: number) => out.bootStart + Math.round(bootMs * fraction);
  const arch = m.architecture === 'arm64' ? 'aarch64' : 'x86_64';
  out.print(at(0), `Linux version ${KERNEL[m.distro]}.${arch} (mockbuild@sandbox) #1 SMP PREEMPT_DYNAMIC`);
  out.print(
    at(0),
    `Command line: BOOT_IMAGE=/boot/vmlinuz-${KERNEL[m.distro]} root=LABEL=/ ro console=tty0 console=ttyS0,115200n8`,
  );
  out.print(at(0.05), 'Hypervisor detected: KVM');
  out.print(at(0.1), 'nvme nvme0: 2/0/0 default/read/poll queues');
  out.print(at(0.2), 'EXT4-fs (nvme0n1p1): mounted filesystem with ordered data mode.');
  out.print(at(0.3), 'systemd[1]: Detected virtualization amazon.');
  out.print(
    at(0.3),
    `systemd[1]: Set hostname to <ip-${m.privateIp.replace(/\./g, '-')}.${m.region}.compute.internal>.`,
  );
}

export function printCloudInitStart(
  out: ConsoleWriter,
  m: MachineFacts,
  bootMs: number,
  launchedAt: number,
): void {
  const at = (fraction: number) => out.bootStart + Math.round(bootMs * fraction);
  const stamp = new Date(launchedAt).toUTCString().replace('GMT', '+0000');
  out.cloudInit(
    at(0.4),
    `Cloud-init v. ${CLOUD_INIT[m.distro]} running 'init' at ${stamp}. Up 4.12 seconds.`,
  );
  out.cloudInit(
    at(0.45),
    'ci-info: ++++++++++++++++++++++++++++++++++++++Net device info++++++++++++++++++++++++++++++++++++++',
  );
  out.cloudInit(
    at(0.45),
    `ci-info: | ens5 | True | ${m.privateIp} | 255.255.240.0 | global | 0a:1b:2c:3d:4e:5f |`,
  );
  out.cloudInit(at(0.6), 'Generating public/private ed25519 key pair.');
  out.cloudInit(
    at(0.75),
    `Cloud-init v. ${CLOUD_INIT[m.distro]} running 'modules:config' at ${stamp}. Up 9.87 seconds.`,
  );
  out.cloudInit(
    at(0.9),
    `Cloud-init v. ${CLOUD_INIT[m.distro]} running 'modules:final' at ${stamp}. Up 12.40 seconds.`,
  );
}

export function printCloudInitFinished(out: ConsoleWriter, m: MachineFacts, at: number): void {
  const uptime = ((at - out.bootStart) / 1000).toFixed(2);
  out.cloudInit(
    at,
    `Cloud-init v. ${CLOUD_INIT[m.distro]} finished at ${new Date(at).toUTCString().replace('GMT', '+0000')}. Datasource DataSourceEc2Local.  Up ${uptime} seconds`,
  );
}

/**
 * What systemd prints between the first stop and the power-off on an EC2 Linux guest: dozens of lines, as
 * on a real builder. The count matters: a done marker is that far behind the console's end by the time the
 * machine is off, and a resumed bake must still find it.
 */
const SHUTDOWN_LINES = [
  'systemd[1]: Stopping session-1.scope - Session 1 of User root...',
  '[  OK  ] Removed slice system-modprobe.slice - Slice /system/modprobe.',
  '[  OK  ] Stopped target graphical.target - Graphical Interface.',
  '[  OK  ] Stopped target multi-user.target - Multi-User System.',
  '[  OK  ] Stopped target getty.target - Login Prompts.',
  '[  OK  ] Stopped target timers.target - Timer Units.',
  '[  OK  ] Stopped dnf-makecache.timer - dnf makecache --timer.',
  '[  OK  ] Stopped logrotate.timer - Daily rotation of log files.',
  '[  OK  ] Stopped systemd-tmpfiles-clean.timer - Daily Cleanup of Temporary Directories.',
  '[  OK  ] Closed systemd-journald-audit.socket - Journal Audit Socket.',
  '         Stopping acpid.service - ACPI Event Daemon...',
  '         Stopping amazon-ssm-agent.service - amazon-ssm-agent...',
  '         Stopping chronyd.service - NTP client/server...',
  '         Stopping crond.service - Command Scheduler...',
  '         Stopping getty@tty1.service - Getty on tty1...',
  '         Stopping serial-getty@ttyS0.service - Serial Getty on ttyS0...',
  '         Stopping sshd.service - OpenSSH server daemon...',
  '[  OK  ] Stopped acpid.service - ACPI Event Daemon.',
  '[  OK  ] Stopped crond.service - Command Scheduler.',
  '[  OK  ] Stopped getty@tty1.service - Getty on tty1.',
  '[  OK  ] Stopped serial-getty@ttyS0.service - Serial Getty on ttyS0.',
  '[  OK  ] Stopped sshd.service - OpenSSH server daemon.',
  '[  OK  ] Stopped chronyd.service - NTP client/server.',
  '[  OK  ] Stopped amazon-ssm-agent.service - amazon-ssm-agent.',
  '[  OK  ] Stopped cloud-final.service - Execute cloud user/final scripts.',
  '[  OK  ] Stopped cloud-config.service - Apply the settings specified in cloud-config.',
  '[  OK  ] Stopped target cloud-config.target - Cloud-config availability.',
  '[  OK  ] Stopped target network-online.target - Network is Online.',
  '[  OK  ] Stopped cloud-init.service - Initial cloud-init job (metadata service crawler).',
  '[  OK  ] Stopped cloud-init-local.service - Initial cloud-init job (pre-networking).',
  '         Stopping systemd-networkd.service - Network Configuration...',
  '[  OK  ] Stopped systemd-networkd.service - Network Configuration.',
  '[  OK  ] Stopped target network-pre.target - Preparation for Network.',
  '[  OK  ] Stopped systemd-sysctl.service - Apply Kernel Variables.',
  '[  OK  ] Stopped target local-fs.target - Local File Systems.',
  '         Unmounting boot-efi.mount - /boot/efi...',
  '         Unmounting tmp.mount - Temporary Directory /tmp...',
  '[  OK  ] Unmounted boot-efi.mount - /boot/efi.',
  '[  OK  ] Unmounted tmp.mount - Temporary Directory /tmp.',
  '[  OK  ] Stopped systemd-fsck@dev-disk-by\\x2duuid-1234.service - File System Check.',
  '[  OK  ] Reached target umount.target - Unmount All Filesystems.',
  '[  OK  ] Stopped systemd-journal-flush.service - Flush Journal to Persistent Storage.',
  '[  OK  ] Stopped systemd-remount-fs.service - Remount Root and Kernel File Systems.',
  '[  OK  ] Reached target shutdown.target - System Shutdown.',
  '[  OK  ] Reached target final.target - Late Shutdown Services.',
];

/** A clean systemd shutdown, from the first stop to the power-off the hypervisor sees. */
export function printShutdown(
  out: ConsoleWriter,
  from: number,
  durationMs: number,
  kind: 'poweroff' | 'reboot',
): void {
  const step = (durationMs * 0.95) / SHUTDOWN_LINES.length;
  SHUTDOWN_LINES.forEach((line, i) => out.print(from + Math.round(step * i), line));
  out.print(
    from + Math.round(durationMs * 0.95),
    kind === 'poweroff' ? 'reboot: Power down' : 'reboot: Restarting system',
  );
}
