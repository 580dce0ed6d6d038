/** One policy on the chart: calls per bake against median overhead. */
export interface CurvePoint {
  id: string;
  calls: number;
  overheadS: number;
}

export interface CurveCheck {
  calls: number;
  overheadS: number;
  /** The tuned waiters' overhead at Quadraxis's calls (null when Quadraxis makes fewer calls than all). */
  curveS: number | null;
  below: boolean;
  /** How the verdict was reached, in words for the report. */
  how: string;
}

/**
 * Whether a point lies on or below the curve through the tuned waiters' points (sorted by calls): less
 * overhead at equal calls, or fewer calls at equal overhead. Between two points the curve is interpolated
 * linearly in calls and geometrically in overhead (a waiter's overhead falls roughly in proportion as its
 * polls grow denser, so this follows the curve rather than cutting its corner); beyond the densest point it
 * stays flat; with fewer calls than the sparsest, the point must beat that point outright.
 */
export function checkAgainstCurve(curve: readonly CurvePoint[], point: CurvePoint): CurveCheck {
  const sorted = [...curve].sort((a, b) => a.calls - b.calls);
  const first = sorted[0];
  const last = sorted.at(-1);
  if (!first || !last) throw new Error('the tuned-waiter curve has no points');
  const at = { calls: point.calls, overheadS: point.overheadS };
  if (point.calls < first.calls) {
    const below = point.overheadS <= first.overheadS;
    return {
      ...at,
      curveS: null,
      below,
      how: `fewer calls than ${first.id} and ${below ? 'less' : 'more'} overhead`,
    };
  }
  if (point.calls >= last.calls) {
    const below = point.overheadS <= last.overheadS;
    return {
      ...at,
      curveS: last.overheadS,
      below,
      how: `at least ${last.id}'s calls; compared with its overhead`,
    };
  }
  const i = sorted.findIndex((p) => p.calls > point.calls);
  const a = sorted[i - 1]!;
  const b = sorted[i]!;
  const f = (point.calls - a.calls) / (b.calls - a.calls);
  const curveS = Math.exp(
    Math.log(Math.max(a.overheadS, 0.1)) * (1 - f) + Math.log(Math.max(b.overheadS, 0.1)) * f,
  );
  const rounded = Math.round(curveS * 10) / 10;
  return {
    ...at,
    curveS: rounded,
    below: point.overheadS <= curveS,
    how: `between ${a.id} and ${b.id}`,
  };
}
