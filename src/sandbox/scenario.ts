import { z } from 'zod';
import { ProgressCurveSchema } from './timing/progress';

/**
 * What tests and benchmarks can make the simulated world do. These schemas also validate what arrives on
 * the control endpoint from other processes.
 */

/**
 * How a builder's script ends: exit 0, a given exit code, or never (the done marker never appears). After
 * its done marker the wrapper powers the machine off as its version says (always from version 2); with
 * `poweroff: false` the machine stays up instead — how a plain user-data script, played through the wrapper
 * so that its end can be timed, behaves.
 */
export const ScriptOutcomeSchema = z.union([
  z.literal('succeed'),
  z.literal('hang'),
  z.object({ exitCode: z.number().int().min(0).max(255), poweroff: z.literal(false).optional() }),
]);
export type ScriptOutcome = z.infer<typeof ScriptOutcomeSchema>;

export const ImageOutcomeSchema = z.enum(['available', 'failed']);
export type ImageOutcome = z.infer<typeof ImageOutcomeSchema>;

const durationMs = z
  .number()
  .int()
  .min(0)
  .max(7 * 24 * 3_600_000);

/** Applies to every launch (and image) from now on, until changed or reset. Unset fields: the script decides. */
export const ScenarioSchema = z.strictObject({
  outcome: ScriptOutcomeSchema.optional(),
  scriptMs: durationMs.optional(),
  image: ImageOutcomeSchema.optional(),
  /** Image copies (CopyImage) into these regions fail: pending, then failed with EC2's copy error. */
  copyFailsIn: z
    .array(z.string().regex(/^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d$/, 'not a region name'))
    .max(50)
    .optional(),
});
export type Scenario = z.infer<typeof ScenarioSchema>;

/** Timings and outcome for exactly one launched instance (consumed in order, one per instance). */
export const LaunchTimelineSchema = z.strictObject({
  runningAfterMs: durationMs.optional(),
  scriptMs: durationMs.optional(),
  stoppingMs: durationMs.optional(),
  imageMs: durationMs.optional(),
  /** CreateImage → the image's snapshots report completed; default: with the image (`imageMs`). */
  snapshotMs: durationMs.optional(),
  /** How their reported progress grows until then; default linear. */
  progress: ProgressCurveSchema.optional(),
  terminateMs: durationMs.optional(),
  outcome: ScriptOutcomeSchema.optional(),
  image: ImageOutcomeSchema.optional(),
});
export type LaunchTimeline = z.infer<typeof LaunchTimelineSchema>;

export const FAULT_KINDS = [
  'InsufficientInstanceCapacity',
  'InternalError',
  'Unavailable',
  'RequestLimitExceeded',
  /** The socket is destroyed before the action runs. */
  'DropConnection',
  /** The action runs, then the socket is destroyed: the caller cannot know it succeeded (idempotency tests). */
  'DropResponse',
] as const;

export const FaultSpecSchema = z.strictObject({
  /** An action name (`RunInstances`, `GetParameter`, `AssumeRole`…) or `*` for any. */
  action: z.string().min(1).max(64),
  fault: z.enum(FAULT_KINDS),
  /** How many of the next matching calls fail; default 1. */
  count: z.number().int().min(1).max(10_000).optional(),
});
export type FaultSpec = z.infer<typeof FaultSpecSchema>;
export type FaultKind = FaultSpec['fault'];
