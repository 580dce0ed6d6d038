import { z } from 'zod';
import { DeployEventSchema, DeployIdSchema, DeploymentSchema, DeployPreviewSchema } from '../deploy';
import { DeployPreferencesSchema, GroupNameSchema, ProjectNameSchema, RegionSchema } from '../project';

/** Which version goes to which group, as the confirmation dialog asks it. */
export const DeployStartRequestSchema = z.object({
  project: ProjectNameSchema,
  /** Omitted: the newest version. */
  version: z.number().int().positive().optional(),
  group: GroupNameSchema,
  /** Omitted: the target's, else the project's, else the profile's region. */
  region: RegionSchema.optional(),
  /** Omitted: the target's profile, else the one chosen in settings. */
  profile: z.string().min(1).max(256).optional(),
  /** Over the target's and the project's preferences. */
  preferences: DeployPreferencesSchema.optional(),
});
export type DeployStartRequest = z.infer<typeof DeployStartRequestSchema>;

export const DeployTargetsSchema = z.object({
  /** The groups the project names, with their regions as a deploy would use them. */
  targets: z.array(
    z.object({ group: z.string(), region: z.string().optional(), profile: z.string().optional() }),
  ),
  /** The profile a deploy uses when neither the call nor the target names one (settings). */
  profile: z.string().optional(),
  region: z.string().optional(),
});
export type DeployTargets = z.infer<typeof DeployTargetsSchema>;

export const deployInvoke = {
  /** The project's deploy targets and the defaults the dialog starts from. */
  'deploy:targets': { request: z.object({ project: ProjectNameSchema }), response: DeployTargetsSchema },
  /**
   * Runs every safety check and reads the group, changing nothing: what the confirmation names (group,
   * region, current and new AMI, desired capacity), or the refusal as a CONFLICT error in words.
   */
  'deploy:preview': { request: DeployStartRequestSchema, response: DeployPreviewSchema },
  /** Checks again, then starts: answers with the recorded deployment; progress follows as deploy:event. */
  'deploy:start': { request: DeployStartRequestSchema, response: DeploymentSchema },
  /** Asks AWS to cancel the deployment's instance refresh. */
  'deploy:cancel': { request: DeployIdSchema, response: z.null() },
  /**
   * During the refresh: roll the group back (the same deployment, which ends rolled-back). After a
   * successful one: a new deployment returning the group to what it ran before.
   */
  'deploy:rollback': { request: DeployIdSchema, response: DeploymentSchema },
  'deploy:get': { request: DeployIdSchema, response: DeploymentSchema },
  /** Newest first. */
  'deploy:list': {
    request: z.object({ project: ProjectNameSchema, limit: z.number().int().min(1).max(500).default(50) }),
    response: z.array(DeploymentSchema),
  },
} as const;

export const deployEvents = {
  /** Every event of every deployment this process runs, in seq order per deployment. */
  'deploy:event': DeployEventSchema,
} as const;
