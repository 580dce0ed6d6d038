import { closeSync, fstatSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstanceRecord, InstanceStateName, StateReason } from '../ec2/records';
import type { DiskNode } from './disk-store';
import type { VmBoot } from './image';
import { ImdsServer } from './imds/server';
import type { MetadataSource } from './imds/source';
import { IMDS_ADDRESS, MIRROR_PROXY_ADDRESS, MIRROR_PROXY_PORT } from './options';
import { macFor, qemuArgs, smbiosUuidFor, type GuestForward } from './qemu-args';
import { QemuProcess } from './qemu-process';
import { SANDBOX_AWS_GUEST_ADDRESS, SANDBOX_AWS_GUEST_PORT } from '../../protocol/sandbox-endpoint';
import { relayCommand } from './relay';
import type { VmHostCore } from './vm-host-core';

export const INSTANCE_SHUTDOWN: StateReason = {
  code: 'Client.InstanceInitiatedShutdown',
  message: 'Client.InstanceInitiatedShutdown: Instance initiated shutdown',
};
export const USER_SHUTDOWN: StateReason = {
  code: 'Client.UserInitiatedShutdown',
  message: 'Client.UserInitiatedShutdown: User initiated shutdown',
};
const PENDING: StateReason = { code: 'pending', message: 'pending' };
const LAUNCH_FAILED: StateReason = {
  code: 'Server.InternalError',
  message: 'Server.InternalError: Internal error on launch',
};
const HOST_FAILED: StateReason = {
  code: 'Server.InternalError',
  message: 'Server.InternalError: The instance stopped unexpectedly',
};

/** EC2 hands out the last 64 KB of the console. */
export const CONSOLE_LIMIT = 64 * 1024;

export interface VmInstanceSpec {
  /** The AMI's root disk, which this instance's overlay is backed by. */
  parent: DiskNode;
  boot: VmBoot;
  volumeGiB: number;
  memoryMiB: number;
  vpcCidr: string;
  accountId: string;
}

type Phase = 'waiting' | 'booting' | 'up' | 'down' | 'gone';
type Intent = 'run' | 'stop' | 'terminate';

/**
 * An EC2 instance that is a QEMU VM. Its state is the record's transitions, appended as things happen
 * (the simulated instances plan theirs ahead; a VM's future is not known): `pending` from launch until
 * QEMU is up (including a wait for a free VM slot), `running`, then `stopping`/`stopped` — with
 * Client.InstanceInitiatedShutdown when the guest powered itself off, Client.UserInitiatedShutdown after
 * StopInstances (ACPI power-down, then a hard stop after the timeout) — or `shutting-down`/`terminated`.
 * Its disk is a qcow2 overlay that lives from the first boot until termination.
 */
export class VmInstance {
  private phase: Phase = 'down';
  private intent: Intent = 'run';
  private endReason: StateReason = USER_SHUTDOWN;
  private endText = '';
  private process: QemuProcess | undefined;
  private disk: DiskNode | undefined;
  private imds: ImdsServer | undefined;
  private cancelWait = new AbortController();
  private hardStop: NodeJS.Timeout | undefined;
  /** Console size at each state transition: what the buffered (non-Latest) output reaches. */
  private readonly marks: number[] = [];
  /** The console's last 64 KB, kept once the instance's files are gone. */
  private finalConsole: Buffer | undefined;
  /** Disk work (a capture) that a start must wait for. */
  private diskWork: Promise<unknown> = Promise.resolve();
  /** Settles when the current power cycle (or termination) has finished its work. */
  private cycle: Promise<void> = Promise.resolve();
  readonly dir: string;

  constructor(
    private readonly host: VmHostCore,
    readonly record: InstanceRecord,
    private readonly spec: VmInstanceSpec,
  ) {
    this.dir = join(host.workDir, record.instanceId);
  }

  get boot(): VmBoot {
    return this.spec.boot;
  }

  get consolePath(): string {
    return join(this.dir, 'console.log');
  }

  get pid(): number | undefined {
    return this.process?.running ? this.process.pid : undefined;
  }

  get imdsLog(): ImdsServer['log'] {
    return this.imds?.log ?? [];
  }

  /** Whether a disk of this instance exists and QEMU is not using it (a capture may read it). */
  get diskAtRest(): boolean {
    return this.phase === 'down' && this.disk !== undefined;
  }

  /** RunInstances: the record is `pending` already. */
  launch(): void {
    this.cycle = this.powerCycle(true);
  }

  /** StartInstances on a stopped instance: the same disk boots again. */
  start(): void {
    this.intent = 'run';
    this.push('pending', PENDING, '');
    this.cycle = this.powerCycle(false);
  }

  /** StopInstances on a running instance: the ACPI power button, then a hard stop after the timeout. */
  stop(transitionReason: string): void {
    this.intent = 'stop';
    this.endReason = USER_SHUTDOWN;
    this.endText = transitionReason;
    this.push('stopping', USER_SHUTDOWN, transitionReason);
    const process = this.process;
    if (!process) return;
    process.powerdown().catch(() => void process.kill());
    this.hardStop = setTimeout(() => {
      this.host.log(`${this.record.instanceId}: no power-off within the stop timeout; stopping it hard`);
      void process.kill();
    }, this.host.stopTimeoutMs);
    this.hardStop.unref();
  }

  /** TerminateInstances: QEMU is killed, the instance's disk deleted. */
  terminate(transitionReason: string): void {
    if (this.intent === 'terminate' || this.phase === 'gone') return;
    this.intent = 'terminate';
    this.endReason = USER_SHUTDOWN;
    this.endText = transitionReason;
    this.push('shutting-down', USER_SHUTDOWN, transitionReason);
    if (this.phase === 'waiting') this.cancelWait.abort(new Error('terminated while waiting for a VM slot'));
    else if (this.phase === 'up') void this.process?.kill();
    else if (this.phase === 'down') this.cycle = this.finishTerminate();
  }

  /** CreateImage: a copy of the stopped instance's disk. */
  capture(name: string): Promise<DiskNode> {
    const disk = this.disk;
    if (!disk || !this.diskAtRest) return Promise.reject(new Error('the instance has no disk at rest'));
    const copy = this.host.disks.snapshot(disk, name);
    this.diskWork = copy.catch(() => undefined);
    return copy;
  }

  /** The console's last 64 KB: as written now (Latest), or as buffered at the last state change. */
  console(latest: boolean): Buffer {
    if (this.finalConsole) return this.finalConsole;
    const end = latest ? this.consoleSize() : (this.marks.at(-1) ?? 0);
    return readTail(this.consolePath, end);
  }

  /** Kills QEMU (the Sandbox is closing); the work directory goes with the host. */
  async shutdown(): Promise<void> {
    this.intent = 'terminate';
    this.cancelWait.abort(new Error('the Sandbox is closing'));
    await this.process?.kill();
    await this.cycle.catch(() => undefined);
    await this.imds?.close();
  }

  private async powerCycle(first: boolean): Promise<void> {
    this.phase = 'waiting';
    this.cancelWait = new AbortController();
    let release: () => void;
    try {
      release = await this.host.slots.acquire(this.cancelWait.signal);
    } catch {
      return this.finishTerminate();
    }
    let failure: unknown;
    try {
      this.phase = 'booting';
      await this.bootAndRun();
    } catch (error) {
      failure = error ?? new Error('unknown failure');
    } finally {
      clearTimeout(this.hardStop);
      this.process = undefined;
      this.phase = 'down';
      release();
    }
    if (failure !== undefined) return this.bootFailed(first, failure);
    if (this.intent === 'terminate') return this.finishTerminate();
    if (this.intent === 'run') {
      // QEMU went away without the guest powering off (it crashed, or someone killed it).
      this.intent = 'stop';
      this.endReason = HOST_FAILED;
      this.endText = HOST_FAILED.message;
      this.push('stopping', HOST_FAILED, HOST_FAILED.message);
    }
    this.push('stopped', this.endReason, this.endText);
  }

  /** Prepares the disk and metadata on the first boot, runs QEMU and returns once it has exited. */
  private async bootAndRun(): Promise<void> {
    await this.diskWork;
    mkdirSync(this.dir, { recursive: true });
    this.disk ??= await this.host.disks.overlay(
      this.spec.parent,
      this.record.instanceId,
      this.spec.volumeGiB,
    );
    this.imds ??= await ImdsServer.start(() => this.metadata(), this.host.routes);
    if (this.intent === 'terminate') return;
    const qmpSocket = join(this.dir, 'qmp.sock');
    const process = await QemuProcess.start({
      qemu: this.host.qemu,
      args: qemuArgs({
        accel: this.host.accel,
        memoryMiB: this.spec.memoryMiB,
        disk: this.disk.path,
        boot: this.spec.boot,
        consolePath: this.consolePath,
        qmpSocket,
        mac: macFor(this.record.instanceId),
        smbiosUuid: smbiosUuidFor(this.record.instanceId),
        instanceType: this.record.instanceType,
        forwards: this.forwards(this.imds.port),
      }),
      qmpSocket,
      stderrPath: join(this.dir, 'qemu.log'),
      watchdog: this.host.watchdog,
    });
    this.process = process;
    process.on('guest-poweroff', () => this.onGuestPoweroff());
    if (this.terminating()) await process.kill();
    else {
      this.phase = 'up';
      this.push('running', undefined, '');
    }
    await process.exited;
  }

  /** QEMU could not start: a launch ends terminated (as EC2's failed launches do), a start stopped again. */
  private bootFailed(first: boolean, error: unknown): Promise<void> | void {
    this.host.log(`${this.record.instanceId}: ${error instanceof Error ? error.message : String(error)}`);
    if (this.intent === 'terminate') return this.finishTerminate();
    if (!first) return this.push('stopped', LAUNCH_FAILED, LAUNCH_FAILED.message);
    this.intent = 'terminate';
    this.endReason = LAUNCH_FAILED;
    this.endText = LAUNCH_FAILED.message;
    this.push('shutting-down', LAUNCH_FAILED, LAUNCH_FAILED.message);
    return this.finishTerminate();
  }

  /** Read through a method: TypeScript would otherwise keep a narrowing across awaits, where it can change. */
  private terminating(): boolean {
    return this.intent === 'terminate';
  }

  private onGuestPoweroff(): void {
    if (this.intent !== 'run') return;
    this.endReason = INSTANCE_SHUTDOWN;
    this.endText = INSTANCE_SHUTDOWN.message;
    if (this.record.shutdownBehavior === 'terminate') {
      this.intent = 'terminate';
      this.push('shutting-down', INSTANCE_SHUTDOWN, INSTANCE_SHUTDOWN.message);
    } else {
      this.intent = 'stop';
      this.push('stopping', INSTANCE_SHUTDOWN, INSTANCE_SHUTDOWN.message);
    }
  }

  private async finishTerminate(): Promise<void> {
    if (this.phase === 'gone') return;
    this.phase = 'gone';
    this.finalConsole = readTail(this.consolePath, this.consoleSize());
    // A capture under way reads the disk: it finishes first (EC2 completes a snapshot it has started).
    await this.diskWork;
    if (this.disk) this.host.disks.release(this.disk);
    this.disk = undefined;
    await this.imds?.close();
    await rm(this.dir, { recursive: true, force: true });
    this.push('terminated', this.endReason, this.endText);
    this.host.forget(this);
  }

  private push(state: InstanceStateName, reason: StateReason | undefined, transitionReason: string): void {
    this.marks.push(this.consoleSize());
    this.record.transitions.push({
      at: this.host.now(),
      state,
      ...(reason ? { reason } : {}),
      transitionReason,
    });
  }

  private consoleSize(): number {
    try {
      return statSync(this.consolePath).size;
    } catch {
      return 0;
    }
  }

  private forwards(imdsPort: number): GuestForward[] {
    const forwards: GuestForward[] = [
      { address: IMDS_ADDRESS, port: 80, command: relayCommand(this.host.relayPath, imdsPort) },
    ];
    if (this.host.awsPort !== undefined) {
      // The one address a builder reaches the Sandbox's AWS endpoint at (src/protocol/sandbox-endpoint.ts).
      forwards.push({
        address: SANDBOX_AWS_GUEST_ADDRESS,
        port: SANDBOX_AWS_GUEST_PORT,
        command: relayCommand(this.host.relayPath, this.host.awsPort),
      });
    }
    if (this.host.mirrorPort !== undefined) {
      forwards.push({
        address: MIRROR_PROXY_ADDRESS,
        port: MIRROR_PROXY_PORT,
        command: relayCommand(this.host.relayPath, this.host.mirrorPort),
      });
    }
    return forwards;
  }

  private metadata(): MetadataSource {
    const r = this.record;
    return {
      instanceId: r.instanceId,
      imageId: r.imageId,
      instanceType: r.instanceType,
      architecture: r.architecture,
      region: r.region,
      availabilityZone: r.subnet.zone.name,
      availabilityZoneId: r.subnet.zone.id,
      accountId: this.spec.accountId,
      reservationId: r.reservationId,
      launchIndex: r.launchIndex,
      launchTime: r.launchTime,
      privateIp: r.privateIp,
      mac: macFor(r.instanceId),
      subnetId: r.subnet.subnetId,
      subnetCidr: r.subnet.cidr,
      vpcId: r.vpcId,
      vpcCidr: this.spec.vpcCidr,
      securityGroups: r.securityGroups,
      rootDeviceName: r.rootDeviceName,
      ...(r.iamInstanceProfile ? { iamInstanceProfile: r.iamInstanceProfile } : {}),
      userData: r.userData,
      httpTokens: r.httpTokens,
    };
  }
}

/** The last 64 KB before byte `end` of a file (nothing if it is not there). */
function readTail(path: string, end: number): Buffer {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const upTo = Math.min(end, fstatSync(fd).size);
    const from = Math.max(0, upTo - CONSOLE_LIMIT);
    const buffer = Buffer.alloc(upTo - from);
    const read = readSync(fd, buffer, 0, buffer.length, from);
    return buffer.subarray(0, read);
  } catch {
    return Buffer.alloc(0);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
