import type { InstanceView, Look, Observation } from './poller';

/**
 * When to look at what a bake waits for. Only two moments cost the person time: seeing the builder
 * "stopped" (CreateImage waits for it) and seeing the image "available". Seeing "running" or the script's
 * end late costs nothing by itself — EC2 carries on — so looks are spent near those two moments only.
 *
 * Early gaps grow with how long the bake has taken so far, so a Sandbox whose builders run in seconds is
 * followed as closely, relatively, as EC2 whose builders run in minutes; every gap is capped, and every cap is
 * counted in the engine's base tick (2 s; tests and the CLI's QUADRAXIS_POLL_MS shrink it with their worlds).
 * At 2 s the caps are sized for EC2's spread: running after 6 s to 3 min, stopping in 4 s to 3 min, a
 * snapshot for minutes — the benchmark's timeline families (src/sandbox/timing, BENCHMARKS.md).
 */
export interface Schedule<T> {
  nextLook(): Look;
  observed(now: number, observation: Observation<T>): void;
}

/** How much earlier than wanted a look may come to share a call made for another bake (none alone). */
const SHARE_EARLY = 0.25;
/** After a failed look, try again within this many ticks whatever the schedule said. */
const ERROR_RETRY_TICKS = 3;

function look(at: number, since: number): Look {
  return { at, slackMs: Math.max(0, (at - since) * SHARE_EARLY) };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/**
 * The builder's looks, in engine ticks (2 s in the app). Every gap is capped: nothing the builder does can
 * push the next look further out than `upCapTicks` while it runs, or `stoppingCapTicks` once it stops.
 */
export const BUILDER_LOOKS = {
  /** First look at a new builder: EC2 is rarely running before 15 s; a Sandbox builder is well on its way. */
  firstLookTicks: 12,
  /** While it is up, the next look comes after twice the time since launch (24 s, 72 s, …)… */
  upGrowth: 2,
  /**
   * …but never more than 15 ticks (30 s) later. The stop is what costs the person time: EC2 stops a machine
   * in anything from 5 s to a few minutes, and a stop that begins between two looks is seen "stopping" (then
   * closely, below) or, at worst, "stopped" up to one gap late. 30 s keeps that lag's p95 near 20 s on the
   * benchmark's timelines; each 5 s more saves about one call per bake of a 3-minute script and adds about
   * 4 s to that p95 (BENCHMARKS.md).
   */
  upCapTicks: 15,
  /** Once it is stopping: every 2 ticks (4 s) at first, the gap growing by a fifth of the time since, at most 3. */
  stoppingMinTicks: 2,
  stoppingFraction: 0.2,
  stoppingCapTicks: 3,
} as const;

export type BuilderLooks = { readonly [K in keyof typeof BUILDER_LOOKS]: number };

/**
 * The builder, from launch to "stopped", across the steps that wait on it (wait-running, run-script, stop).
 * Owned by the bake run, so each step carries on where the previous one left off.
 */
export class BuilderSchedule implements Schedule<InstanceView> {
  private nextAt: number;
  private lastLookAt: number;
  /** When the stop was first seen or announced; undefined while the builder is up. */
  private stoppingSince: number | undefined;
  /** The last state seen, and when. */
  lastSeen: { state: string; at: number } | undefined;

  /** `firstLookAt`: a resumed bake looks at once — the builder may have finished while no one watched. */
  constructor(
    private readonly tickMs: number,
    private readonly launchedAt: number,
    firstLookAt?: number,
    private readonly looks: BuilderLooks = BUILDER_LOOKS,
  ) {
    this.nextAt = firstLookAt ?? launchedAt + looks.firstLookTicks * tickMs;
    this.lastLookAt = launchedAt;
  }

  nextLook(): Look {
    return look(this.nextAt, this.lastLookAt);
  }

  observed(now: number, observation: Observation<InstanceView>): void {
    this.lastLookAt = now;
    if (observation.kind === 'found') {
      this.lastSeen = { state: observation.value.state, at: now };
      if (observation.value.state !== 'pending' && observation.value.state !== 'running')
        this.stoppingSince ??= now;
    }
    const interval = this.interval(now);
    this.nextAt =
      now + (observation.kind === 'error' ? Math.min(interval, ERROR_RETRY_TICKS * this.tickMs) : interval);
  }

  /**
   * The builder is about to stop: the script reported it is done (on a watched console) and the poweroff
   * follows within seconds, or the engine asked EC2 to stop it.
   */
  expectStop(now: number): void {
    this.stoppingSince ??= now;
    this.nextAt = Math.min(this.nextAt, now + this.interval(now));
  }

  private interval(now: number): number {
    const l = this.looks;
    if (this.stoppingSince !== undefined)
      return clamp(
        (now - this.stoppingSince) * l.stoppingFraction,
        l.stoppingMinTicks * this.tickMs,
        l.stoppingCapTicks * this.tickMs,
      );
    return clamp((now - this.launchedAt) * l.upGrowth, this.tickMs, l.upCapTicks * this.tickMs);
  }
}

/** A plain relative backoff: half the time waited so far, between one tick and `capMs`. */
export class BackoffSchedule<T> implements Schedule<T> {
  private nextAt: number;
  private lastLookAt: number;

  constructor(
    private readonly tickMs: number,
    private readonly startedAt: number,
    private readonly capMs: number,
  ) {
    this.lastLookAt = startedAt;
    this.nextAt = startedAt + tickMs;
  }

  nextLook(): Look {
    return look(this.nextAt, this.lastLookAt);
  }

  observed(now: number): void {
    this.lastLookAt = now;
    this.nextAt = now + clamp((now - this.startedAt) / 2, this.tickMs, this.capMs);
  }
}
