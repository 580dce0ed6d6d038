import { isDeepStrictEqual } from 'node:util';
import { startSandbox, type SandboxHandle, type SandboxOptions, type VmOptions } from '../../sandbox';
import type { Logger } from '../services/logger';

export interface SandboxStatus {
  running: boolean;
  url?: string;
  /** True when the sandbox runs in another process (`quadraxis sandbox`) and we only point at it. */
  external: boolean;
  /** The real-VM mode: on (with its accelerator), or why it could not start. */
  vm?: { on: true; accel: 'kvm' | 'tcg'; image: string } | { on: false; error?: string };
}

/**
 * Owns the "Sandbox (simulated, offline)" profile's simulator: started on first use, on a free loopback
 * port, in this process — or, when given a URL (a `quadraxis sandbox` started elsewhere), just pointed at.
 * Its VM mode follows the settings: a change restarts the Sandbox on the same port once nothing runs in it
 * (clients keep their endpoint), and a VM image that cannot be used leaves a plain Sandbox and says why.
 */
export class SandboxManager {
  private starting?: Promise<SandboxHandle>;
  private handle?: SandboxHandle;
  private vm: VmOptions | undefined;
  private vmError: string | undefined;
  /** The VM settings changed since the running Sandbox started. */
  private stale = false;

  constructor(
    private readonly options: { externalUrl?: string; sandbox?: SandboxOptions; logger?: Logger } = {},
  ) {
    this.vm = options.sandbox?.vm;
  }

  async ensure(): Promise<{ url: string }> {
    if (this.options.externalUrl) return { url: this.options.externalUrl };
    if (this.stale && this.handle && this.idle()) await this.restart();
    this.starting ??= this.start(this.options.sandbox?.port ?? 0);
    return this.starting;
  }

  /** The VM mode the next start uses (undefined: off); the running Sandbox restarts when it is idle. */
  configure(vm: VmOptions | undefined): void {
    if (isDeepStrictEqual(vm, this.vm)) return;
    this.vm = vm;
    this.vmError = undefined;
    if (!this.handle && !this.starting) return;
    this.stale = true;
    if (this.handle && this.idle()) void this.restart().catch(() => undefined);
  }

  /** The in-process simulator, once started (tests and the app's sandbox controls use it). */
  get running(): SandboxHandle | undefined {
    return this.handle;
  }

  status(): SandboxStatus {
    if (this.options.externalUrl) return { running: true, url: this.options.externalUrl, external: true };
    const vm = this.handle?.sim.vm();
    return {
      running: Boolean(this.handle),
      ...(this.handle ? { url: this.handle.url } : {}),
      external: false,
      ...(vm
        ? { vm: { on: true as const, accel: vm.accel.kind, image: vm.image.name } }
        : this.vmError
          ? { vm: { on: false as const, error: this.vmError } }
          : {}),
    };
  }

  async close(): Promise<void> {
    const handle = this.handle ?? (this.starting ? await this.starting.catch(() => undefined) : undefined);
    this.handle = undefined;
    this.starting = undefined;
    await handle?.close();
  }

  private async start(port: number): Promise<SandboxHandle> {
    const { vm: _vm, ...base } = this.options.sandbox ?? {};
    const logger = this.options.logger;
    let handle: SandboxHandle;
    try {
      handle = await startSandbox({
        ...base,
        port,
        ...(this.vm ? { vm: this.vm, log: (line: string) => logger?.info(line) } : {}),
      });
    } catch (error) {
      if (!this.vm) throw error;
      // A VM image that cannot be used must not take the Sandbox profile down with it.
      this.vmError = error instanceof Error ? error.message : String(error);
      logger?.warn('sandbox VM mode could not start; running without it', { error: this.vmError });
      handle = await startSandbox({ ...base, port });
    }
    this.handle = handle;
    this.stale = false;
    logger?.info('sandbox started', { url: handle.url, vm: handle.sim.vm()?.image.name ?? 'off' });
    return handle;
  }

  /** Nothing launched in it is still alive: restarting loses nothing anyone waits for. */
  private idle(): boolean {
    const sim = this.handle?.sim;
    if (!sim) return true;
    return sim.instances().every((i) => i.state === 'terminated') && (sim.vm()?.instances.length ?? 0) === 0;
  }

  /** Callers of ensure() from here on wait for the new Sandbox, never reach the closing one. */
  private async restart(): Promise<void> {
    const previous = this.handle;
    if (!previous) return;
    this.handle = undefined;
    // The same port: AWS clients made for the old Sandbox keep working against the new one.
    this.starting = previous.close().then(() => this.start(previous.port));
    // A failed start is not kept: the next ensure() tries again.
    this.starting.catch(() => (this.starting = undefined));
    await this.starting;
  }
}
