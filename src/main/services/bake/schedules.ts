import type { InstanceView, Look, Observation } from './poller';

/**
 * When to look at what a bake waits for. Only two moments cost the person time: seeing the builder
 * "stopped" (CreateImage waits for it) and seeing the image "available". Seeing "running" or the script's
 * end late costs nothing by itself — EC2 carries on — so looks are spent near those two moments only.
 *
 * Times grow with how long the bake has taken so far, so a Sandbox whose builders run in seconds is followed
 * as closely, relatively, as EC2 whose builders run in minutes, and every fixed span is counted in the
 * engine's base tick (2 s; tests and the CLI's QUADRAXIS_POLL_MS shrink it with their worlds). At 2 s the
 * spans are EC2's own: running after 15–45 s, stopping for 20–60 s, a snapshot for minutes. Measured on the
 * benchmark's 200 timelines (BENCHMARKS.md).
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

/** First look at a new builder: EC2 is rarely running before 15 s; a Sandbox builder is well on its way. */
const FIRST_LOOK_TICKS = 12;
/** While it is up, the next look comes after twice the time since launch (24 s, 72 s, …)… */
const UP_GROWTH = 2;
/**
 * …but never more than 25 ticks (50 s) later: EC2 stops a machine in 20–60 s, so a stop that falls between
 * two looks 50 s apart is seen "stopping" or, at worst, "stopped" for 30 s. Looks 18 s apart would never
 * miss the "stopping" window, but cost about three times as many calls over a typical script; 50 s keeps
 * the lag within the benchmark's targets (median ≤ 10 s, p95 ≤ 30 s) at a third of the calls. Each 5 s
 * more would save about half a call per bake for about 5 s more at p95.
 */
const UP_CAP_TICKS = 25;
/** Once it is stopping: a tenth of the time since launch, at most 5 ticks (10 s), until it is stopped. */
const STOPPING_FRACTION = 0.1;
const STOPPING_CAP_TICKS = 5;

/**
 * The builder, from launch to "stopped", across the steps that wait on it (wait-running, run-script, stop).
 * Owned by the bake run, so each step carries on where the previous one left off.
 */
export class BuilderSchedule implements Schedule<InstanceView> {
  private nextAt: number;
  private lastLookAt: number;
  private stopping = false;
  /** The last state seen, and when. */
  lastSeen: { state: string; at: number } | undefined;

  /** `firstLookAt`: a resumed bake looks at once — the builder may have finished while no one watched. */
  constructor(
    private readonly tickMs: number,
    private readonly launchedAt: number,
    firstLookAt = launchedAt + FIRST_LOOK_TICKS * tickMs,
  ) {
    this.nextAt = firstLookAt;
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
        this.stopping = true;
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
    this.stopping = true;
    this.nextAt = Math.min(this.nextAt, now + this.interval(now));
  }

  private interval(now: number): number {
    const since = now - this.launchedAt;
    return this.stopping
      ? clamp(since * STOPPING_FRACTION, this.tickMs, STOPPING_CAP_TICKS * this.tickMs)
      : clamp(since * UP_GROWTH, this.tickMs, UP_CAP_TICKS * this.tickMs);
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
