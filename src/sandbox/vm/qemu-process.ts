import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { QmpConnection, type QmpEvent } from './qmp';
import type { Watchdog } from './watchdog';

export interface QemuExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface QemuStart {
  qemu: string;
  args: string[];
  qmpSocket: string;
  /** QEMU's own messages (not the guest's console), for errors. */
  stderrPath: string;
  watchdog: Watchdog;
  /** How long QEMU may take to connect its QMP socket. */
  startTimeoutMs?: number;
}

/**
 * One run of QEMU: from spawn until the process exits. It runs in a process group of its own (so the
 * watchdog can kill it, and the relays QEMU spawns, when the Sandbox dies) and connects to a QMP socket the
 * Sandbox listens on — so being "up" is an event, not a file to poll for.
 */
export class QemuProcess extends EventEmitter<{ 'guest-poweroff': []; reset: [] }> {
  readonly exited: Promise<QemuExit>;
  private exit?: QemuExit;

  private constructor(
    private readonly child: ChildProcess,
    private readonly qmp: QmpConnection,
    exited: Promise<QemuExit>,
  ) {
    super();
    this.exited = exited.then((exit) => (this.exit = exit));
    void this.exited.then(() => qmp.close());
    qmp.on('event', (event: QmpEvent) => {
      if (event.event === 'SHUTDOWN' && event.data?.guest === true) this.emit('guest-poweroff');
      if (event.event === 'RESET' && event.data?.guest === true) this.emit('reset');
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  static async start(options: QemuStart): Promise<QemuProcess> {
    await rm(options.qmpSocket, { force: true });
    const listener = createServer();
    const connected = once(listener, 'connection') as Promise<[Socket]>;
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(options.qmpSocket, () => resolve());
    });
    const stderr = openSync(options.stderrPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn(options.qemu, options.args, { stdio: ['ignore', 'ignore', stderr], detached: true });
    } finally {
      closeSync(stderr);
    }
    const spawned = once(child, 'spawn').then(() => undefined);
    const exited = new Promise<QemuExit>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const failed = once(child, 'error').then(([error]) => Promise.reject(error as Error));
    failed.catch(() => undefined);
    try {
      await Promise.race([spawned, failed]);
      options.watchdog.watch(child.pid!);
      void exited.then(() => options.watchdog.forget(child.pid!));
      const timeoutMs = options.startTimeoutMs ?? 60_000;
      let timer: NodeJS.Timeout | undefined;
      const [socket] = await Promise.race([
        connected,
        exited.then(async (exit) => {
          throw new Error(
            `QEMU exited (${describe(exit)}) before it was up: ${await tail(options.stderrPath)}`,
          );
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`QEMU did not connect its QMP socket within ${timeoutMs / 1000} s`)),
            timeoutMs,
          );
        }),
      ]).finally(() => clearTimeout(timer));
      const qmp = new QmpConnection(socket);
      await qmp.negotiate();
      return new QemuProcess(child, qmp, exited);
    } catch (error) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        killGroup(child.pid);
        await exited;
      }
      throw error;
    } finally {
      listener.close();
      await rm(options.qmpSocket, { force: true });
    }
  }

  /** ACPI power button: a guest with acpid or systemd-logind shuts down cleanly. */
  async powerdown(): Promise<void> {
    await this.qmp.execute('system_powerdown');
  }

  /** Stops the VM at once (TerminateInstances, a hard stop, the Sandbox closing). */
  async kill(): Promise<QemuExit> {
    if (this.exit) return this.exit;
    killGroup(this.child.pid!);
    return this.exited;
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function describe(exit: QemuExit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

async function tail(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-5).join(' | ') || '(no message)';
}
