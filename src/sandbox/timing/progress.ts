import { z } from 'zod';

/**
 * How a snapshot's reported progress grows from CreateImage to its completion. EC2 reports whole percents
 * and its curve is not a straight line: small or mostly empty volumes race, others crawl and then finish at
 * once, and many sit at 0 % for most of the time and then jump (what practitioners report most).
 * - `power`: progress = fraction^exponent — 1 linear, above 1 convex (slow start, fast end), below 1
 *   concave (fast start, slow end).
 * - `stalled`: 0 % until `until` of the time, then a jump to `jumpTo` % and linear from there; `until` 1 is
 *   "stuck at 0 % until it is done".
 */
export const ProgressCurveSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('power'), exponent: z.number().min(0.1).max(10) }),
  z.strictObject({
    kind: z.literal('stalled'),
    until: z.number().min(0).max(1),
    jumpTo: z.number().min(0).max(100),
  }),
]);
export type ProgressCurve = z.infer<typeof ProgressCurveSchema>;

export const LINEAR: ProgressCurve = { kind: 'power', exponent: 1 };

/** Progress in percent (0–100, not rounded) at `fraction` (0–1) of the snapshot's time. */
export function progressAt(curve: ProgressCurve, fraction: number): number {
  const f = Math.min(1, Math.max(0, fraction));
  if (curve.kind === 'power') return 100 * f ** curve.exponent;
  if (f < curve.until || curve.until >= 1) return f >= 1 ? 100 : 0;
  return curve.jumpTo + ((100 - curve.jumpTo) * (f - curve.until)) / (1 - curve.until);
}

/** What DescribeSnapshots says while the snapshot is pending: a whole percent, never 100 until completed. */
export function reportedProgress(curve: ProgressCurve, fraction: number): number {
  return Math.min(99, Math.floor(progressAt(curve, fraction)));
}
