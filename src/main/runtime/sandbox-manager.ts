import { startSandbox, type SandboxHandle, type SandboxOptions } from '../../sandbox';
import type { Logger } from '../services/logger';

export interface SandboxStatus {
  running: boolean;
  url?: string;
  /** True when the sandbox runs in another process (`quadraxis sandbox`) and we only point at it. */
  external: boolean;
}

/**
 * Owns the "Sandbox (simulated, offline)" profile's simulator: started on first use, on a free loopback
 * port, in this process — or, when given a URL (a `quadraxis sandbox` started elsewhere), just pointed at.
 */
export class SandboxManager {
  private starting?: Promise<SandboxHandle>;
  private handle?: SandboxHandle;

  constructor(
    private readonly options: { externalUrl?: string; sandbox?: SandboxOptions; logger?: Logger } = {},
  ) {}

  async ensure(): Promise<{ url: string }> {
    if (this.options.externalUrl) return { url: this.options.externalUrl };
    this.starting ??= startSandbox(this.options.sandbox).then((handle) => {
      this.handle = handle;
      this.options.logger?.info('sandbox started', { url: handle.url });
      return handle;
    });
    return this.starting;
  }

  /** The in-process simulator, once started (tests and the app's sandbox controls use it). */
  get running(): SandboxHandle | undefined {
    return this.handle;
  }

  status(): SandboxStatus {
    if (this.options.externalUrl) return { running: true, url: this.options.externalUrl, external: true };
    return {
      running: Boolean(this.handle),
      ...(this.handle ? { url: this.handle.url } : {}),
      external: false,
    };
  }

  async close(): Promise<void> {
    const handle = this.handle ?? (this.starting ? await this.starting.catch(() => undefined) : undefined);
    this.handle = undefined;
    this.starting = undefined;
    await handle?.close();
  }
}
