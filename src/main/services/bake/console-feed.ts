import { GetConsoleOutputCommand } from '@aws-sdk/client-ec2';
import { abortReason } from '../clock';
import { awsErrorCode } from './aws-call';
import type { BakeRunCore } from './bake-run';
import { isAbortError } from './failure';

/** Quiet console: the gap between reads doubles from one tick up to this many. */
const QUIET_TICKS = 5;

/** Some instance types (older Xen ones) cannot give the latest output and refuse `Latest=true`. */
function latestUnsupported(error: unknown): boolean {
  const code = awsErrorCode(error);
  return (
    code === 'UnsupportedOperation' || (code === 'InvalidParameterValue' && /latest/i.test(String(error)))
  );
}

/**
 * A builder's serial console. GetConsoleOutput cannot be batched — one call per builder per read — so it
 * is streamed only while someone is watching (the app's bake page, the CLI), each watch a lease that lapses
 * unless renewed, so a crashed or reloaded window stops costing calls by itself. The engine reads it
 * itself only when it must: once the builder has powered off (the done marker says how the script ended)
 * and on failure (for the tail). New lines are journaled as `console` events (console.log).
 */
export class ConsoleFeed {
  /** Holder → its lease: when it lapses (infinite until released). */
  private readonly leases = new Map<string, { lapses: number }>();
  private latest = true;

  /**
   * False once EC2 refused `Latest=true` (or preflight learned the type cannot give it): what it hands out
   * then is buffered output, posted some time after the machine wrote it, so the last lines before a stop
   * may not be there yet.
   */
  get current(): boolean {
    return this.latest;
  }

  /** The instance type is a Xen one: do not ask for `Latest` (it would only be refused). */
  bufferedOnly(): void {
    this.latest = false;
  }
  private onWatch: (() => void) | undefined;

  constructor(private readonly run: BakeRunCore) {}

  /** Streams the console for `holder` until the returned function is called or `leaseMs` passes unrenewed. */
  watch(holder: string, leaseMs: number): () => void {
    const lease = { lapses: this.run.clock.now() + leaseMs };
    this.leases.set(holder, lease);
    this.onWatch?.();
    return () => {
      // Only this lease: the holder may have renewed it since.
      if (this.leases.get(holder) === lease) this.leases.delete(holder);
    };
  }

  get watched(): boolean {
    const now = this.run.clock.now();
    for (const [holder, lease] of this.leases) if (lease.lapses <= now) this.leases.delete(holder);
    return this.leases.size > 0;
  }

  /**
   * Reads the console once; returns how many new lines it found. Errors other than cancellation are logged
   * and swallowed unless `strict` (a read the engine decides on must not pass silently).
   */
  async read(
    signal: AbortSignal,
    onLines: (lines: string[]) => void,
    options: { strict?: boolean } = {},
  ): Promise<number> {
    const instanceId = this.run.state.instanceId;
    if (!instanceId) return 0;
    try {
      const out = await this.run.call(
        'GetConsoleOutput',
        (o) =>
          this.run.connection.clients.ec2.send(
            new GetConsoleOutputCommand({ InstanceId: instanceId, ...(this.latest ? { Latest: true } : {}) }),
            o,
          ),
        { signal, ...(options.strict ? {} : { attempts: 2 }) },
      );
      const text = out.Output ? Buffer.from(out.Output, 'base64').toString('utf8') : '';
      const lines = this.run.consoleTail.push(text);
      if (lines.length === 0) return 0;
      await this.run.emit({ type: 'console', lines });
      onLines(lines);
      return lines.length;
    } catch (error) {
      if (signal.aborted || isAbortError(error)) throw error;
      if (latestUnsupported(error)) {
        this.latest = false;
        return this.read(signal, onLines, options);
      }
      if (options.strict) throw error;
      this.run.logger.warn('could not read the builder console', {
        bakeId: this.run.id,
        error: String(error),
      });
      return 0;
    }
  }

  /** Streams while watched, until `signal` aborts: every tick while output flows, less often while quiet. */
  async stream(signal: AbortSignal, onLines: (lines: string[]) => void): Promise<void> {
    const tick = this.run.env.pollIntervalMs;
    let gap = tick;
    while (!signal.aborted) {
      if (!this.watched) {
        await this.untilWatched(signal);
        gap = tick;
        continue;
      }
      gap = (await this.read(signal, onLines)) > 0 ? tick : Math.min(QUIET_TICKS * tick, gap * 2);
      await this.run.clock.sleep(gap, signal);
    }
  }

  private untilWatched(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.onWatch = undefined;
        reject(abortReason(signal));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.onWatch = () => {
        this.onWatch = undefined;
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
    });
  }
}
