import { z } from 'zod';
import { PrunePlanSchema, PruneOutcomeSchema, PruneReportSchema } from '../lifecycle';
import { AppErrorPayloadSchema } from '../result';
import { ProjectNameSchema, RegionSchema } from '../project';

const AMI_ID = z.string().regex(/^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, 'not an AMI id');

export const PrunePlanRequestSchema = z.object({
  project: ProjectNameSchema,
  /** Omitted: the profile chosen in settings. */
  profile: z.string().min(1).max(256).optional(),
  /** Omitted: the project's own region, else the one in settings, else the profile's. */
  region: RegionSchema.optional(),
});
export type PrunePlanRequest = z.infer<typeof PrunePlanRequestSchema>;

export const PruneStartRequestSchema = PrunePlanRequestSchema.extend({
  /**
   * The images the person agreed to retire, from the plan they were shown. The prune plans again and
   * retires only those it still would: one that came into use since stays.
   */
  imageIds: z.array(AMI_ID).min(1).max(5000),
});
export type PruneStartRequest = z.infer<typeof PruneStartRequestSchema>;

export const PruneJobIdSchema = z.string().regex(/^pj_[0-9a-z]{6,40}$/, 'not a prune job id');

export const lifecycleInvoke = {
  /** What a prune of the project would do now, and why each survivor stays. Changes nothing. */
  'lifecycle:plan': { request: PrunePlanRequestSchema, response: PrunePlanSchema },
  /** Starts a prune of the confirmed images; answers at once, reports through lifecycle:progress. */
  'lifecycle:prune': { request: PruneStartRequestSchema, response: z.object({ jobId: PruneJobIdSchema }) },
} as const;

export const PruneProgressSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('outcome'),
    jobId: PruneJobIdSchema,
    project: z.string(),
    outcome: PruneOutcomeSchema,
  }),
  z.object({
    type: z.literal('finished'),
    jobId: PruneJobIdSchema,
    project: z.string(),
    report: PruneReportSchema,
  }),
  z.object({
    type: z.literal('failed'),
    jobId: PruneJobIdSchema,
    project: z.string(),
    error: AppErrorPayloadSchema,
  }),
]);
export type PruneProgress = z.infer<typeof PruneProgressSchema>;

export const lifecycleEvents = {
  'lifecycle:progress': PruneProgressSchema,
} as const;
