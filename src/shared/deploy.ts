import { z } from 'zod';
import { AmiIdSchema, GroupNameSchema, ProjectNameSchema } from './project';

/**
 * A deployment as everyone sees it: the deploy service emits these events, the store keeps the record,
 * the renderer, the CLI and `quadraxis deployments` read it. Ids are time-sortable like bake ids
 * (`dp_` + 10 characters of time + 10 random).
 */
export const DEPLOY_ID_PATTERN = /^dp_[0-9a-z]{20}$/;
export const DeployIdSchema = z.string().regex(DEPLOY_ID_PATTERN, 'Not a deployment id.');

/** preflight → template → refresh → finalize; `rollback` when the group is put back. */
export const DEPLOY_STEPS = ['preflight', 'template', 'refresh', 'finalize', 'rollback'] as const;
export const DeployStepSchema = z.enum(DEPLOY_STEPS);
export type DeployStep = z.infer<typeof DeployStepSchema>;

export const DEPLOY_STEP_LABELS: Record<DeployStep, string> = {
  preflight: 'Safety checks',
  template: 'New launch template version',
  refresh: 'Instance refresh',
  finalize: 'Set default version',
  rollback: 'Roll back',
};

export const DeployStepStatusSchema = z.enum([
  'pending',
  'running',
  'done',
  'failed',
  'skipped',
  'cancelled',
]);

/**
 * running → succeeded (Successful) | failed (Failed, RollbackFailed, or refused after it began) |
 * cancelled | rolled-back (RollbackSuccessful, or Quadraxis put the group back); `interrupted`: the
 * process that ran it died before anything reached the group.
 */
export const DeployStatusSchema = z.enum([
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'rolled-back',
  'interrupted',
]);
export type DeployStatus = z.infer<typeof DeployStatusSchema>;
export function isFinalDeployStatus(status: DeployStatus): boolean {
  return status !== 'running';
}

export const DeployTriggerSchema = z.enum(['app', 'cli', 'webhook']);
export type DeployTrigger = z.infer<typeof DeployTriggerSchema>;

/** Preferences as sent to StartInstanceRefresh: every field decided. */
export const EffectivePreferencesSchema = z.object({
  minHealthyPercentage: z.number().int(),
  maxHealthyPercentage: z.number().int(),
  /** Omitted: the group's own warmup (DefaultInstanceWarmup, else its health-check grace period). */
  instanceWarmupSeconds: z.number().int().optional(),
  checkpoints: z.array(z.number().int()),
  checkpointDelaySeconds: z.number().int().optional(),
  skipMatching: z.boolean(),
  autoRollback: z.boolean(),
});
export type EffectivePreferences = z.infer<typeof EffectivePreferencesSchema>;

/** Quadraxis's defaults: AWS's own for the percentages, skip matching and auto rollback on. */
export const DEPLOY_DEFAULTS = {
  minHealthyPercentage: 90,
  maxHealthyPercentage: 100,
  skipMatching: true,
  autoRollback: true,
} as const;

export const DeployInstanceSchema = z.object({
  instanceId: z.string(),
  lifecycleState: z.string(),
  health: z.string(),
  imageId: z.string().optional(),
  launchTemplateVersion: z.string().optional(),
  availabilityZone: z.string().optional(),
});
export type DeployInstance = z.infer<typeof DeployInstanceSchema>;

export const RefreshProgressSchema = z.object({
  id: z.string(),
  /** AWS's own status: Pending, InProgress, Successful, Failed, Cancelling, Cancelled, RollbackInProgress… */
  status: z.string(),
  statusReason: z.string().optional(),
  percentage: z.number(),
  instancesToUpdate: z.number(),
  rollback: z
    .object({ reason: z.string().optional(), percentage: z.number(), instancesToUpdate: z.number() })
    .optional(),
});
export type RefreshProgress = z.infer<typeof RefreshProgressSchema>;

export const LaunchTemplateChangeSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** How the group names the version: a number, or `$Default`. */
  groupVersion: z.string(),
  /** The version the group launched before this deployment, and its AMI. */
  previousVersion: z.number().int(),
  previousImageId: z.string().optional(),
  /** The version this deployment rolls out (made by it, or an existing one when rolling back). */
  newVersion: z.number().int().optional(),
  /** Whether this deployment made `newVersion` (false: a rollback reusing an older version). */
  created: z.boolean().optional(),
});
export type LaunchTemplateChange = z.infer<typeof LaunchTemplateChangeSchema>;

export const DeployErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.string()).optional(),
});

export const DeployStepStateSchema = z.object({
  step: DeployStepSchema,
  status: DeployStepStatusSchema,
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  message: z.string().optional(),
});
export type DeployStepState = z.infer<typeof DeployStepStateSchema>;

export const DeploymentSchema = z.object({
  id: DeployIdSchema,
  project: ProjectNameSchema,
  /** The project version deployed (for a rollback: the version put back, when Quadraxis knows it). */
  version: z.number().int().positive().optional(),
  imageId: AmiIdSchema,
  group: GroupNameSchema,
  region: z.string(),
  profile: z.string(),
  endpoint: z.string().optional(),
  simulated: z.boolean(),
  kind: z.enum(['deploy', 'rollback']),
  /** The deployment this one undoes. */
  rollbackOf: DeployIdSchema.optional(),
  trigger: DeployTriggerSchema,
  /** Who: the program, the person at it, and the AWS identity the calls were made as. */
  by: z.object({ actor: z.string(), user: z.string(), host: z.string(), arn: z.string().optional() }),
  status: DeployStatusSchema,
  createdAt: z.number(),
  endedAt: z.number().optional(),
  steps: z.array(DeployStepStateSchema),
  preferences: EffectivePreferencesSchema,
  /** How the rollback works for this group: AWS's RollbackInstanceRefresh, or Quadraxis refreshing back. */
  rollbackMode: z.enum(['aws', 'quadraxis']).optional(),
  launchTemplate: LaunchTemplateChangeSchema.optional(),
  desiredCapacity: z.number().int().optional(),
  refreshId: z.string().optional(),
  refresh: RefreshProgressSchema.optional(),
  /** The refresh Quadraxis started to put the group back, when AWS could not roll it back itself. */
  rollbackRefreshId: z.string().optional(),
  instances: z.array(DeployInstanceSchema).default([]),
  warnings: z.array(z.string()).default([]),
  error: DeployErrorSchema.optional(),
  message: z.string().optional(),
  apiCalls: z.number().int().default(0),
  seq: z.number().int(),
});
export type Deployment = z.infer<typeof DeploymentSchema>;

const EventBase = { deployId: DeployIdSchema, seq: z.number().int().nonnegative(), at: z.number() };

/** Progress events, in order per deployment by `seq`; `deploy:get` resyncs a consumer that missed some. */
export const DeployEventSchema = z.discriminatedUnion('type', [
  z.object({ ...EventBase, type: z.literal('created'), record: DeploymentSchema }),
  z.object({
    ...EventBase,
    type: z.literal('step'),
    step: DeployStepSchema,
    status: DeployStepStatusSchema,
    message: z.string().optional(),
  }),
  z.object({ ...EventBase, type: z.literal('template'), launchTemplate: LaunchTemplateChangeSchema }),
  z.object({
    ...EventBase,
    type: z.literal('refresh'),
    refresh: RefreshProgressSchema,
    /** Set when this refresh is the one Quadraxis started to put the group back. */
    rollback: z.boolean().optional(),
  }),
  z.object({
    ...EventBase,
    type: z.literal('instances'),
    instances: z.array(DeployInstanceSchema),
    desiredCapacity: z.number().int(),
  }),
  z.object({ ...EventBase, type: z.literal('error'), error: DeployErrorSchema }),
  z.object({ ...EventBase, type: z.literal('finished'), record: DeploymentSchema }),
]);
export type DeployEvent = z.infer<typeof DeployEventSchema>;

/** What the confirmation names before anything changes, and what would refuse the deploy. */
export const DeployPreviewSchema = z.object({
  project: ProjectNameSchema,
  version: z.number().int().positive(),
  group: z.string(),
  region: z.string(),
  profile: z.string(),
  simulated: z.boolean(),
  desiredCapacity: z.number().int(),
  instances: z.number().int(),
  currentImageId: z.string().optional(),
  newImageId: z.string(),
  launchTemplate: z.object({
    id: z.string(),
    name: z.string(),
    groupVersion: z.string(),
    currentVersion: z.number().int(),
  }),
  /** `template`: the group launches a launch template; `mixed`: through a mixed instances policy. */
  source: z.enum(['template', 'mixed']),
  preferences: EffectivePreferencesSchema,
  rollbackMode: z.enum(['aws', 'quadraxis']),
  warnings: z.array(z.string()),
});
export type DeployPreview = z.infer<typeof DeployPreviewSchema>;
