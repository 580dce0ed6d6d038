/** One DescribeSnapshots reading of one snapshot: when, and the whole percent EC2 reported. */
export interface Reading {
  at: number;
  percent: number;
}

/** Rates are taken over at least this many percent when the readings allow: whole percents are ±1. */
const MIN_STEP = 5;

/**
 * When a snapshot will report 100 %, as its readings suggest — a hint, not a promise (the schedule caps
 * every gap, so a wrong hint costs looks or a bounded lag, never the image). `undefined` while progress is
 * still 0 %: nothing to go on.
 *
 * Progress counts from CreateImage or from the last reading that still showed 0 % (a snapshot stuck at 0 %
 * and then jumping starts its clock late). The rate is the most recent evidence: between the latest reading
 * and the latest earlier one at least five percent lower, else the earliest that is lower at all, else
 * from the origin. Recent rates follow a curve that speeds up (convex) or slows down (concave) better
 * than the average since the start does.
 */
export function completionEstimate(startedAt: number, readings: readonly Reading[]): number | undefined {
  const last = readings.at(-1);
  if (!last || last.percent <= 0) return undefined;
  let origin = startedAt;
  for (const r of readings) if (r.percent <= 0 && r.at > origin) origin = r.at;
  const moving = readings.filter((r) => r.at > origin && r.percent > 0 && r.percent < last.percent);
  const base = moving.findLast((r) => last.percent - r.percent >= MIN_STEP) ??
    moving[0] ??
      // Whole percents: "p %" is anywhere in [p, p + 1); the middle of the bin is the best single guess.
      { at: origin, percent: -0.5 };
  const rate = (last.percent - base.percent) / Math.max(1, last.at - base.at);
  return last.at + (100 - (last.percent + 0.5)) / rate;
}
