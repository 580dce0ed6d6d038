export { childSeed, seededRandom, type Random } from './random';
export { LINEAR, ProgressCurveSchema, progressAt, reportedProgress, type ProgressCurve } from './progress';
export {
  BAKE_DISTRIBUTIONS,
  FAMILIES,
  TIMELINE_FAMILIES,
  type Distribution,
  type FamilySpec,
  type TimelineFamily,
} from './families';
export { drawTimelines, launchTimeline, type BakeTimeline } from './generator';
