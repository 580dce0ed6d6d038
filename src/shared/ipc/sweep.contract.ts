import { z } from 'zod';
import { RegionSchema } from '../project';

const InstanceIdSchema = z.string().regex(/^i-[0-9a-f]{8,17}$/, 'not an EC2 instance id');

export const SweepRequestSchema = z.object({
  profile: z.string().min(1).max(256),
  /** Omitted: the profile's region. */
  region: RegionSchema.optional(),
  /**
   * Omitted: only look. Otherwise the builders to terminate — among those this very call finds orphaned,
   * so one that a live bake has claimed since the person looked is never touched.
   */
  terminate: z.array(InstanceIdSchema).max(1000).optional(),
});

export const SweepCandidateSchema = z.object({
  instanceId: z.string(),
  state: z.string(),
  bakeId: z.string().optional(),
  project: z.string().optional(),
  launchedAt: z.number().optional(),
});
export type SweepCandidate = z.infer<typeof SweepCandidateSchema>;

export const SweepReportSchema = z.object({
  region: z.string(),
  found: z.array(SweepCandidateSchema),
  /** Builders a live bake (here or in another process) runs: never offered. */
  owned: z.array(z.string()),
  terminated: z.array(z.string()),
  failed: z.array(z.object({ instanceId: z.string(), message: z.string() })),
});
export type SweepReport = z.infer<typeof SweepReportSchema>;

export const sweepInvoke = {
  /** Builders tagged by Quadraxis that no live bake owns, in one account and region; optionally ends some. */
  'sweep:builders': { request: SweepRequestSchema, response: SweepReportSchema },
} as const;
