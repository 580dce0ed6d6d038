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
};
const CLOUD_INIT: Record<Distro, string> = {
  al2023: '22.2.2',
  ubuntu: '24.1.3-0ubuntu3.3',
  debian: '22.4.2',
};
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

/** A clean systemd shutdown, from the first stop to the power-off the hypervisor sees. */
export function printShutdown(
  out: ConsoleWriter,
  from: number,
  durationMs: number,
  kind: 'poweroff' | 'reboot',
): void {
  const at = (fraction: number) => from + Math.round(durationMs * fraction);
  out.print(at(0), 'systemd[1]: Stopping session-1.scope - Session 1 of User root...');
  out.print(at(0.2), '[  OK  ] Stopped target multi-user.target - Multi-User System.');
  out.print(at(0.4), '[  OK  ] Stopped cloud-final.service - Execute cloud user/final scripts.');
  out.print(at(0.6), '[  OK  ] Unmounted boot-efi.mount - /boot/efi.');
  out.print(at(0.8), '[  OK  ] Reached target final.target - Late Shutdown Services.');
  out.print(at(0.95), kind === 'poweroff' ? 'reboot: Power down' : 'reboot: Restarting system');
}
