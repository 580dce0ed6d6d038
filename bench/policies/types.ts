import type { BakeTimeline, Random, SandboxTimings, ScriptOutcome } from '../../src/sandbox';
import type { World } from '../lib/world';

export interface BakeResult {
  ok: boolean;
  /** The AMI made, if any (premature or not). */
  imageId?: string;
  message?: string;
  /** Clock time at which the policy saw its image available: what a person waits for. */
  seenAt?: number;
  /** Per-step durations the policy itself reports (Quadraxis's bake record). */
  stepsMs?: Record<string, number>;
}

/** One bake to make: its index (for unique names) and the timeline the Sandbox plays for it. */
export interface BakeSubject {
  index: number;
  timeline: BakeTimeline;
}

/** A policy opened on one world: bakes one project after another (or many at once, for Quadraxis). */
export interface PolicyRunner {
  bake(subject: BakeSubject): Promise<BakeResult>;
  close(): Promise<void>;
}

export interface PolicyEnv {
  world: World;
  region: string;
  /** Seeded: waiter jitter is reproducible. */
  rng: Random;
}

/**
 * Where a policy sits on the chart: Quadraxis itself; a fair anchor (how people really bake AMIs); or one
 * point of the SDK waiters' curve (the same waiter at several settings).
 */
export type PolicyGroup = 'quadraxis' | 'anchor' | 'tuned-waiter';

/** One way of baking an AMI, measured on the same timelines as the others. */
export interface Policy {
  id: string;
  label: string;
  group: PolicyGroup;
  /** One line on what it does and where its numbers come from (the file's comment has the detail). */
  summary: string;
  /** Why its images are, or are never, taken before the init script finished. */
  prematureReason: string;
  /** How the Sandbox ends the script: the wrapper powering the machine off, or a script that leaves it up. */
  script: ScriptOutcome;
  /**
   * AWS's own time from the start until the image is available, on this policy's path: the state changes
   * its image depends on, as the timeline sets them. Time until it saw the image, minus this, is what the
   * policy adds (poll lag, fixed sleeps, retries).
   */
  awsPathMs(t: BakeTimeline, timings: SandboxTimings): number;
  open(env: PolicyEnv): Promise<PolicyRunner>;
}

/** running → booted → the script → (the wrapper's poweroff) → stopped → snapshot → available. */
export function scriptPathMs(t: BakeTimeline, timings: SandboxTimings, poweroff: boolean): number {
  return (
    t.runningAfterMs +
    timings.bootMs +
    t.scriptMs +
    (poweroff ? timings.shutdownDelayMs : 0) +
    t.stoppingMs +
    t.imageMs
  );
}
