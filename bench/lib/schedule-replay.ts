import { IMAGE_LOOKS, ImageSchedule, type ImageLooks } from '../../src/main/services/bake/image-schedule';
import type { Look } from '../../src/main/services/bake/poller';
import { BUILDER_LOOKS, BuilderSchedule, type BuilderLooks } from '../../src/main/services/bake/schedules';
import { reportedProgress, type BakeTimeline } from '../../src/sandbox';

const SELF_SHUTDOWN = 'Client.InstanceInitiatedShutdown';

export interface ReplayOptions {
  tickMs: number;
  /** running → the script starts (cloud-init), and the script's end → stopping (the wrapper's poweroff). */
  bootMs: number;
  shutdownDelayMs: number;
  builder?: BuilderLooks;
  image?: ImageLooks;
  /** The snapshot's reported percent at `ms` after CreateImage, instead of the timeline's curve. */
  progress?: (ms: number) => number;
  /** Called for every look, in order (for tests that check the gaps). */
  onLook?: (look: ReplayLook) => void;
}

export interface ReplayLook {
  kind: 'instance' | 'snapshots' | 'image';
  /** ms since launch. */
  at: number;
  /** What the look saw: the instance's state, the snapshot's percent ('completed' when done), the image's state. */
  saw: string;
}

export interface ReplayResult {
  /** ms from "stopped" to seeing it. */
  stopLagMs: number;
  /** ms from "available" to seeing it. */
  imageLagMs: number;
  overheadMs: number;
  /** DescribeInstances, DescribeSnapshots and DescribeImages made while waiting. */
  calls: { instance: number; snapshots: number; image: number };
  /** When CreateImage was sent and the image seen, ms since launch. */
  createImageAt: number;
  imageSeenAt: number;
}

/**
 * Plays one timeline against Quadraxis's look schedules exactly as one bake alone in its region meets
 * them: the shared poller ticks at the earliest look anyone wants, at least a tick apart; a tick reads
 * snapshots before images; a look that may come early only rides along with a call someone is due for.
 * No SDK, no Sandbox, no clock: milliseconds of arithmetic per bake, so the benchmark can replay the
 * schedules at settings the engine does not ship and the tests can check their caps on thousands of
 * adversarial timelines. The benchmark checks that, at the shipped settings, the replay and the engine in
 * the Sandbox agree.
 */
export function replaySchedules(t: BakeTimeline, o: ReplayOptions): ReplayResult {
  const runningAt = t.runningAfterMs;
  const stoppingAt = runningAt + o.bootMs + t.scriptMs + o.shutdownDelayMs;
  const stoppedAt = stoppingAt + t.stoppingMs;
  const state = (now: number) =>
    now < runningAt ? 'pending' : now < stoppingAt ? 'running' : now < stoppedAt ? 'stopping' : 'stopped';
  const calls = { instance: 0, snapshots: 0, image: 0 };
  let lastTick = Number.NEGATIVE_INFINITY;
  const tickAt = (...looks: Look[]) => {
    const at = Math.max(Math.min(...looks.map((l) => l.at)), lastTick + o.tickMs);
    if (!Number.isFinite(at)) throw new Error('the schedules stopped looking');
    lastTick = at;
    return at;
  };

  const builder = new BuilderSchedule(o.tickMs, 0, undefined, o.builder ?? BUILDER_LOOKS);
  let now: number;
  for (;;) {
    now = tickAt(builder.nextLook());
    calls.instance++;
    const seen = state(now);
    o.onLook?.({ kind: 'instance', at: now, saw: seen });
    builder.observed(now, {
      kind: 'found',
      value: { id: 'i', state: seen, ...(now >= stoppingAt ? { stateReasonCode: SELF_SHUTDOWN } : {}) },
    });
    if (seen === 'stopped') break;
  }
  const stopLagMs = now - stoppedAt;

  const createImageAt = now;
  const snapshotDoneAt = createImageAt + t.snapshotMs;
  const availableAt = createImageAt + t.imageMs;
  const image = new ImageSchedule(o.tickMs, createImageAt, createImageAt, o.image ?? IMAGE_LOOKS);
  for (let guard = 0; guard < 100_000; guard++) {
    now = tickAt(image.readingLook(), image.imageLook());
    if (image.readingLook().at <= now) {
      calls.snapshots++;
      const done = now >= snapshotDoneAt;
      const elapsed = now - createImageAt;
      const percent = done
        ? 100
        : Math.min(
            99,
            o.progress ? o.progress(elapsed) : reportedProgress(t.progress, elapsed / t.snapshotMs),
          );
      o.onLook?.({ kind: 'snapshots', at: now, saw: done ? 'completed' : String(percent) });
      image.onSnapshots(now, {
        kind: 'found',
        value: [{ id: 'snap', state: done ? 'completed' : 'pending', progress: percent }],
      });
    }
    if (image.imageLook().at <= now) {
      calls.image++;
      const available = now >= availableAt;
      o.onLook?.({ kind: 'image', at: now, saw: available ? 'available' : 'pending' });
      if (available) {
        const imageLagMs = now - availableAt;
        return {
          stopLagMs,
          imageLagMs,
          overheadMs: stopLagMs + imageLagMs,
          calls,
          createImageAt,
          imageSeenAt: now,
        };
      }
      image.onImage(now, { kind: 'found', value: { id: 'ami', state: 'pending', snapshotIds: [] } });
    }
  }
  throw new Error('the image was never seen');
}
