import { z } from 'zod';

/**
 * Retention as everyone sees it: the plan a prune makes (which of a project's images go and why each
 * survivor stays) and what it did. The CLI prints it (`quadraxis prune --json` is this shape), the app's
 * Versions tab shows it and asks before acting.
 */

export const UsageKindSchema = z.enum([
  /** A bake that has not finished made it (it may be copying from it, or about to publish it). */
  'bake',
  'instance',
  'launch-template',
  'auto-scaling-group',
  'ssm-parameter',
]);
export type UsageKind = z.infer<typeof UsageKindSchema>;

/** Something that would break if the image went: an instance, a launch template version, a group, a parameter. */
export const ImageUsageSchema = z.object({
  kind: UsageKindSchema,
  /** Instance id, launch template id, group name, parameter name. */
  id: z.string(),
  /** In words: "running", "default and latest version 3 (web-lt)", "desired 4". */
  detail: z.string(),
});
export type ImageUsage = z.infer<typeof ImageUsageSchema>;

export const PruneActionSchema = z.enum(['keep', 'deregister', 'disable']);
export type PruneAction = z.infer<typeof PruneActionSchema>;

export const PruneImageSchema = z.object({
  region: z.string(),
  imageId: z.string(),
  name: z.string(),
  /** The project version that made it (by its bake id), when this data directory recorded it. */
  version: z.number().int().optional(),
  bakeId: z.string().optional(),
  /**
   * The project's named environment it was baked for (its `quadraxis:environment` tag, else its version's
   * record); absent: the project's own values. Retention ranks each environment's images on their own.
   */
  environment: z.string().optional(),
  /** When EC2 created it in this region (a copy: when it was copied). */
  createdAt: z.number(),
  state: z.string(),
  snapshotIds: z.array(z.string()),
  deprecated: z.boolean(),
  /** When Quadraxis disabled it (a prune with a grace period). */
  disabledAt: z.number().optional(),
  action: PruneActionSchema,
  /** Why it stays (every reason that keeps it) or why it goes. */
  reasons: z.array(z.string()),
  usage: z.array(ImageUsageSchema),
});
export type PruneImage = z.infer<typeof PruneImageSchema>;

export const PruneRulesSchema = z.object({
  keep: z.number().int().optional(),
  maxAgeDays: z.number().int().optional(),
  disableForDays: z.number().int().optional(),
});

/** What an interrupted prune left to do; the next prune finishes it first. */
export const UnfinishedPruneSchema = z.object({
  startedAt: z.number(),
  profile: z.string(),
  pending: z.array(
    z.object({
      region: z.string(),
      imageId: z.string(),
      action: z.enum(['deregister', 'disable']),
      state: z.string(),
    }),
  ),
});
export type UnfinishedPrune = z.infer<typeof UnfinishedPruneSchema>;

export const PrunePlanSchema = z.object({
  project: z.string(),
  profile: z.string(),
  generatedAt: z.number(),
  /** Every region looked at: the home region, the distribution regions, and any a version was recorded in. */
  regions: z.array(z.string()),
  rules: PruneRulesSchema,
  images: z.array(PruneImageSchema),
  /** Regions that could not be looked at: nothing there is touched. */
  problems: z.array(z.object({ region: z.string(), message: z.string() })),
  unfinished: UnfinishedPruneSchema.optional(),
});
export type PrunePlan = z.infer<typeof PrunePlanSchema>;

export const PruneOutcomeSchema = z.object({
  region: z.string(),
  imageId: z.string(),
  /** deregistered (and its snapshots deleted), disabled, skipped (in use by the time it was reached), failed. */
  result: z.enum(['deregistered', 'disabled', 'skipped', 'failed']),
  snapshotsDeleted: z.array(z.string()),
  message: z.string().optional(),
  /** Carried over from an interrupted prune. */
  resumed: z.boolean().optional(),
});
export type PruneOutcome = z.infer<typeof PruneOutcomeSchema>;

export const PruneReportSchema = z.object({
  plan: PrunePlanSchema,
  /** False when nothing was confirmed (a dry run, or the person said no). */
  acted: z.boolean(),
  outcomes: z.array(PruneOutcomeSchema),
  apiCalls: z.number().int(),
});
export type PruneReport = z.infer<typeof PruneReportSchema>;
