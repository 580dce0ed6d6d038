import { parseMarker } from '../../../protocol/user-data';
import type { BakeRun } from './bake-run';
import { BakeFailure } from './failure';

/**
 * The wrapper's markers on the builder's console, from launch until the script's end is known: the console
 * is streamed (only while someone watches it) and every line read — streamed or read once by the engine —
 * passes through `onLines`. A watched bake learns early: "begin" shows the builder is up, "done exit=0"
 * that the poweroff is seconds away (the builder's schedule looks closely from then on), and any other exit
 * code fails the bake at once instead of after the stop.
 */
export class ScriptWatch {
  began = false;
  exitCode: number | undefined;
  /** Rejects with the script's failure as soon as a non-zero done marker is read. */
  readonly failed: Promise<never>;
  /** Resolves when the begin marker is read. */
  readonly started: Promise<void>;
  private fail: (failure: BakeFailure) => void = () => undefined;
  private start: () => void = () => undefined;
  private readonly stopper = new AbortController();
  private readonly streaming: Promise<void>;

  constructor(private readonly run: BakeRun) {
    this.failed = new Promise<never>((_, reject) => (this.fail = reject));
    // Raced by the steps that care; a failure nobody is waiting on is still not an unhandled rejection.
    this.failed.catch(() => undefined);
    this.started = new Promise<void>((resolve) => (this.start = resolve));
    // A bake resumed after a restart passes over the lines it had already logged: their markers count.
    this.onLines([...run.loggedMarkers, ...run.consoleTail.tail(Number.POSITIVE_INFINITY)]);
    const signal = AbortSignal.any([run.signal, this.stopper.signal]);
    this.streaming = run.consoleFeed.stream(signal, this.onLines).catch(() => undefined);
  }

  readonly onLines = (lines: string[]): void => {
    for (const line of lines) {
      const marker = parseMarker(line, this.run.state.nonce);
      if (marker?.kind === 'begin') {
        this.began = true;
        this.start();
      }
      if (marker?.kind !== 'done' || this.exitCode !== undefined) continue;
      this.exitCode = marker.exitCode;
      if (marker.exitCode !== 0) this.fail(this.failure(marker.exitCode));
      else {
        this.run.builderSchedule.expectStop(this.run.clock.now());
        this.run.region.poller.wake();
      }
    }
  };

  failure(exitCode: number): BakeFailure {
    return new BakeFailure('SCRIPT_FAILED', `The init script failed with exit code ${exitCode}.`, {
      exitCode,
      consoleTail: this.scriptTail(),
    });
  }

  /** The end of the script's own output, not the shutdown that followed it. */
  scriptTail(): string[] {
    return this.run.consoleTail.scriptTail(
      (line) => parseMarker(line, this.run.state.nonce)?.kind === 'done',
    );
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
