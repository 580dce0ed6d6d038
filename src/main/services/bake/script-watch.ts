import { unresolvedMessage } from './reference-failure';
import { CompletionReader } from '../../../protocol/markers';
import type { BakeRun } from './bake-run';
import { BakeFailure } from './failure';

/**
 * How long a failing done marker stands before the bake fails on it without waiting for the builder to
 * go down: a builder of today's wrapper powers off right after it, so this only matters for one that
 * does not (an older wrapper left a failed builder running). Not at once, because the *last* done marker
 * decides: a script may have printed one of its own before the wrapper's.
 */
export const FAILING_MARKER_GRACE_MS = 60_000;

/** What to do instead of rebooting, said where a reboot failed a bake. */
export const REBOOT_ADVICE =
  'The script rebooted the builder; use no reboot in an init script: the image is made from the ' +
  'powered-off builder, so a new kernel or setting takes effect when instances launched from it boot. ' +
  'Work that must follow a reboot belongs in a systemd unit or /var/lib/cloud/scripts/per-boot, which ' +
  'every instance runs. The builder was not imaged.';

/**
 * The wrapper's markers on the builder's console, from launch until the script's end is known: the console
 * is streamed (only while someone watches it) and every line read — streamed or read once by the engine —
 * passes through `onLines` into a CompletionReader. A watched bake learns early: "begin" shows the builder
 * is up, "done exit=0" that the poweroff is near (the builder's schedule looks closely from then on), a
 * reboot fails the bake at once, and a failing exit code fails it once the builder is down (or the grace
 * has passed).
 */
export class ScriptWatch {
  readonly reader: CompletionReader;
  /** Rejects with the script's failure: at once on a reboot, after the grace on a failing exit code. */
  readonly failed: Promise<never>;
  /** Resolves when the begin marker is read. */
  readonly started: Promise<void>;
  private fail: (failure: BakeFailure) => void = () => undefined;
  private start: () => void = () => undefined;
  private readonly stopper = new AbortController();
  private readonly streaming: Promise<void>;
  private rebootReported = false;

  constructor(private readonly run: BakeRun) {
    this.reader = new CompletionReader(run.state.nonce);
    this.failed = new Promise<never>((_, reject) => (this.fail = reject));
    // Raced by the steps that care; a failure nobody is waiting on is still not an unhandled rejection.
    this.failed.catch(() => undefined);
    this.started = new Promise<void>((resolve) => (this.start = resolve));
    // A bake resumed after a restart reads what it had already logged first: its markers count.
    const logged = run.loggedConsole;
    run.loggedConsole = [];
    this.onLines(logged.length > 0 ? logged : run.consoleTail.tail(Number.POSITIVE_INFINITY));
    const signal = AbortSignal.any([run.signal, this.stopper.signal]);
    this.streaming = run.consoleFeed.stream(signal, this.onLines).catch(() => undefined);
  }

  get began(): boolean {
    return this.reader.began;
  }

  /** The exit code of the last done marker read. */
  get exitCode(): number | undefined {
    return this.reader.exitCode;
  }

  /** Enough is known to decide, whatever else the console may still show. */
  get settled(): boolean {
    const r = this.reader;
    if (r.reboot || (r.exitCode !== undefined && r.exitCode !== 0)) return true;
    if (r.exitCode !== 0) return false;
    return this.run.state.wrapperVersion < 3 || r.cleaned || r.notCleaned !== undefined;
  }

  readonly onLines = (lines: string[]): void => {
    for (const line of lines) {
      const marker = this.reader.push(line);
      if (marker?.kind === 'begin') this.start();
      if (marker?.kind !== 'done') continue;
      // The builder powers off next: look closely.
      this.run.builderSchedule.expectStop(this.run.clock.now());
      this.run.region.poller.wake();
      if (marker.exitCode !== 0) this.failAfterGrace();
    }
    if (this.reader.reboot && !this.rebootReported) {
      this.rebootReported = true;
      this.fail(this.rebootFailure());
    }
  };

  private failAfterGrace(): void {
    const signal = AbortSignal.any([this.run.signal, this.stopper.signal]);
    this.run.clock.sleep(FAILING_MARKER_GRACE_MS, signal).then(
      () => {
        const code = this.reader.exitCode;
        if (code !== undefined && code !== 0) this.fail(this.failure(code));
      },
      () => undefined,
    );
  }

  failure(exitCode: number): BakeFailure {
    const unresolved = this.reader.unresolved;
    if (unresolved)
      return new BakeFailure('SCRIPT_FAILED', unresolvedMessage(this.run.project, unresolved), {
        exitCode,
        details: { reason: 'unresolved-reference', variable: unresolved.name, why: unresolved.reason },
      });
    const errors = this.reader.warnings.filter((w) => w.level === 'ERROR');
    const said = errors.length > 0 ? ` cloud-init said: ${errors.map((e) => e.message).join('; ')}` : '';
    return new BakeFailure('SCRIPT_FAILED', `The init script failed with exit code ${exitCode}.${said}`, {
      exitCode,
      consoleTail: this.scriptTail(),
    });
  }

  rebootFailure(): BakeFailure {
    return new BakeFailure('SCRIPT_FAILED', REBOOT_ADVICE, {
      consoleTail: this.reader.reboot ?? this.scriptTail(),
      details: { reason: 'rebooted' },
    });
  }

  /** The end of the script's own output, not the shutdown that followed it. */
  scriptTail(): string[] {
    const nonce = this.run.state.nonce;
    return this.run.consoleTail.scriptTail((line) => line.includes(`[quadraxis:${nonce}] done exit=`));
  }

  /** Stops streaming; the engine's own reads still go through onLines. */
  async stop(): Promise<void> {
    this.stopper.abort();
    await this.streaming;
  }
}

/** The run's script watch, begun at wait-running (or, for a bake resumed later, where it is first needed). */
export function scriptWatch(run: BakeRun): ScriptWatch {
  run.scriptWatch ??= new ScriptWatch(run);
  return run.scriptWatch;
}
