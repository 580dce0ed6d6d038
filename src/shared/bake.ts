import { z } from 'zod';
import { EnvironmentNameSchema, EnvSchema, ProjectNameSchema } from './project';

/**
 * A bake as everyone sees it: the engine emits these events, the store persists them, the renderer, the CLI
 * and the webhook's status endpoint read them. Ids are time-sortable (`bk_` + 10 chars of time + 10 random).
 */
export const BAKE_ID_PATTERN = /^bk_[0-9a-z]{20}$/;
export const BakeIdSchema = z.string().regex(BAKE_ID_PATTERN, 'Not a bake id.');

/** The pipeline, in order. `cleanup` only runs after a failure or a cancel. */
export const BAKE_STEPS = [
  'preflight',
  'launch',
  'wait-running',
  'run-script',
  'stop',
  'create-image',
  'wait-image',
  'terminate',
  'copy',
  'share',
  'publish',
  'record',
  'prune',
  'cleanup',
] as const;
export const BakeStepSchema = z.enum(BAKE_STEPS);
export type BakeStep = z.infer<typeof BakeStepSchema>;

export const STEP_LABELS: Record<BakeStep, string> = {
  preflight: 'Preflight',
  launch: 'Launch builder',
  'wait-running': 'Wait for running',
  'run-script': 'Run init script',
  stop: 'Stop builder',
  'create-image': 'Create image',
  'wait-image': 'Wait for image',
  terminate: 'Terminate builder',
  copy: 'Copy to regions',
  share: 'Share',
  publish: 'Publish parameter',
  record: 'Record version',
  prune: 'Prune old images',
  cleanup: 'Clean up',
};

/**
 * The steps a bake of this project shows: delivery steps only when the project distributes, prune only when
 * it prunes after a bake; `cleanup` is added only when it runs.
 */
export function stepsFor(project: {
  distribution?:
    | {
        regions: unknown[];
        shareWith: { accounts: unknown[]; organizations: unknown[]; organizationalUnits: unknown[] };
        ssmParameter?: string | undefined;
      }
    | undefined;
  retention?: { pruneAfterBake: boolean } | undefined;
}): BakeStep[] {
  const d = project.distribution;
  const shares = d
    ? d.shareWith.accounts.length +
        d.shareWith.organizations.length +
        d.shareWith.organizationalUnits.length >
      0
    : false;
  return BAKE_STEPS.filter((step) => {
    if (step === 'cleanup') return false;
    if (step === 'copy') return (d?.regions.length ?? 0) > 0;
    if (step === 'share') return shares;
    if (step === 'publish') return d?.ssmParameter !== undefined;
    if (step === 'prune') return project.retention?.pruneAfterBake === true;
    return true;
  });
}

export const StepStatusSchema = z.enum(['pending', 'running', 'done', 'failed', 'skipped', 'cancelled']);
export type StepStatus = z.infer<typeof StepStatusSchema>;

/** queued → running → (cleaning-up →) succeeded | failed | cancelled; `interrupted` = found dead after a crash. */
export const BakeStatusSchema = z.enum([
  'queued',
  'running',
  'cleaning-up',
  'succeeded',
  'failed',
  'cancelled',
  'interrupted',
]);
export type BakeStatus = z.infer<typeof BakeStatusSchema>;
export const FINAL_BAKE_STATUSES: readonly BakeStatus[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];
export function isFinalStatus(status: BakeStatus): boolean {
  return FINAL_BAKE_STATUSES.includes(status);
}

export const StepStateSchema = z.object({
  step: BakeStepSchema,
  status: StepStatusSchema,
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  message: z.string().optional(),
});
export type StepState = z.infer<typeof StepStateSchema>;

export const BakeErrorSchema = z.object({
  step: BakeStepSchema,
  code: z.string(),
  message: z.string(),
  /** The script's exit code when the script failed. */
  exitCode: z.number().int().optional(),
  /** The last lines of the builder's console when the script failed or hung. */
  consoleTail: z.array(z.string()).optional(),
  /** What the error's code says more precisely (an AppError's details): an image id, an AWS error code. */
  details: z.record(z.string(), z.string()).optional(),
});
export type BakeError = z.infer<typeof BakeErrorSchema>;

export const BakeTriggerSchema = z.enum(['app', 'cli', 'webhook']);

/**
 * One of cloud-init's own recoverable errors on the builder, as cloud-init worded it: its level (WARNING,
 * DEPRECATED, ERROR, CRITICAL; SCHEMA for what `cloud-init schema --system` named) and its message. Source
 * `quadraxis`: an unknown top-level key the engine found itself, because the builder's cloud-init (before
 * 23.4) ignored it silently.
 */
export const BakeWarningSchema = z.object({
  source: z.enum(['cloud-init', 'quadraxis']),
  level: z.string().max(32),
  message: z.string().max(2000),
});
export type BakeWarning = z.infer<typeof BakeWarningSchema>;

/** The heading over a bake's warnings, the same in the app and on the command line. */
export function warningsHeading(warnings: readonly BakeWarning[]): string {
  const n = `${warnings.length} warning${warnings.length === 1 ? '' : 's'}`;
  return warnings.every((w) => w.source === 'cloud-init')
    ? `cloud-init reported ${n}`
    : `The #cloud-config has ${n}`;
}
/** One region's copy of the bake's image, as the copy step follows it. */
export const CopyStateSchema = z.enum(['copying', 'available', 'failed', 'removed']);
export const RegionCopySchema = z.object({
  region: z.string(),
  imageId: z.string().optional(),
  state: CopyStateSchema,
  /** Percent, from its snapshots' progress while copying. */
  progress: z.number().min(0).max(100).optional(),
  snapshotIds: z.array(z.string()).default([]),
  /** Why it failed, in EC2's words. */
  message: z.string().optional(),
});
export type RegionCopy = z.infer<typeof RegionCopySchema>;

/** A parameter the bake set (or is setting) to its image in one region, and what it held before. */
export const PublishedSchema = z.object({
  region: z.string(),
  name: z.string(),
  imageId: z.string(),
  /** The value before, to put back if the bake fails after all; absent when the parameter was new. */
  previous: z.string().optional(),
});
export type Published = z.infer<typeof PublishedSchema>;

export const BakeRecordSchema = z.object({
  id: BakeIdSchema,
  project: ProjectNameSchema,
  profile: z.string(),
  region: z.string(),
  /** True when this bake ran against the Sandbox: its AMI is simulated. */
  simulated: z.boolean(),
  /** The endpoint override the bake used (a sandbox, LocalStack), so crash recovery reaches the same place. */
  endpoint: z.string().optional(),
  trigger: BakeTriggerSchema,
  /** The project's named environment this bake used (issue 18); absent: the project's own values. */
  environment: EnvironmentNameSchema.optional(),
  status: BakeStatusSchema,
  createdAt: z.number(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  steps: z.array(StepStateSchema),
  /** Highest event seq applied to this record. */
  seq: z.number().int(),
  baseImageId: z.string().optional(),
  instanceId: z.string().optional(),
  imageId: z.string().optional(),
  imageName: z.string().optional(),
  snapshotIds: z.array(z.string()).default([]),
  scriptSha256: z.string().optional(),
  /** Set when this bake joined an identical running bake instead of launching its own builder. */
  joinedTo: BakeIdSchema.optional(),
  error: BakeErrorSchema.optional(),
  /**
   * cloud-init's recoverable errors for a #cloud-config bake. With them a bake "succeeded with warnings",
   * or failed, as the project's completion.cloudConfigWarnings says.
   */
  warnings: z.array(BakeWarningSchema).optional(),
  /** What cleanup did, in words: "terminated i-…", "deregistered ami-…", "deleted snap-…". */
  cleanedUp: z.array(z.string()).default([]),
  /** The image's copies in other regions (distribution), journaled as they are made. */
  copies: z.array(RegionCopySchema).optional(),
  /** Parameters the bake published its images to, journaled before each PutParameter. */
  published: z.array(PublishedSchema).optional(),
  apiCalls: z.number().int().default(0),
  version: z.number().int().optional(),
  message: z.string().optional(),
  /**
   * Only on a bake as listed, never stored: the process running it is gone (killed, crashed, frozen) and no
   * recovery has settled it yet. `status` then reads `interrupted` and `message` says how it will be
   * recovered; `was` and `wasMessage` are what its journal holds. Recovery resumes it (its next event
   * applies to the journal's record again, see applyBakeEvent) or ends it.
   */
  orphaned: z
    .object({
      was: BakeStatusSchema,
      wasMessage: z.string().optional(),
      reason: z.enum(['no-owner', 'dead-process', 'stale-heartbeat', 'unreadable']),
      owner: z.object({ pid: z.number().int(), hostname: z.string(), actor: z.string() }).optional(),
    })
    .optional(),
});
export type BakeRecord = z.infer<typeof BakeRecordSchema>;

const EventBase = { bakeId: BakeIdSchema, seq: z.number().int().nonnegative(), at: z.number() };

/** Progress events, in order per bake by `seq`. A consumer that misses some resyncs with `bake:get`. */
export const BakeEventSchema = z.discriminatedUnion('type', [
  z.object({ ...EventBase, type: z.literal('created'), record: BakeRecordSchema }),
  z.object({
    ...EventBase,
    type: z.literal('status'),
    status: BakeStatusSchema,
    message: z.string().optional(),
    /** The bake joined this identical running bake instead of launching its own builder. */
    joinedTo: BakeIdSchema.optional(),
  }),
  z.object({
    ...EventBase,
    type: z.literal('step'),
    step: BakeStepSchema,
    status: StepStatusSchema,
    message: z.string().optional(),
  }),
  z.object({
    ...EventBase,
    type: z.literal('resource'),
    kind: z.enum(['instance', 'image', 'snapshot', 'base-image']),
    id: z.string(),
    name: z.string().optional(),
  }),
  z.object({ ...EventBase, type: z.literal('console'), lines: z.array(z.string()) }),
  z.object({ ...EventBase, type: z.literal('error'), error: BakeErrorSchema }),
  z.object({ ...EventBase, type: z.literal('cleanup'), action: z.string() }),
  z.object({ ...EventBase, type: z.literal('warnings'), warnings: z.array(BakeWarningSchema) }),
  /** A copy started, progressed, finished, failed or was removed: the record's `copies` entry for its region. */
  z.object({
    ...EventBase,
    type: z.literal('copy'),
    region: z.string(),
    imageId: z.string().optional(),
    state: CopyStateSchema,
    progress: z.number().min(0).max(100).optional(),
    snapshotIds: z.array(z.string()).optional(),
    message: z.string().optional(),
  }),
  z.object({ ...EventBase, type: z.literal('published'), ...PublishedSchema.shape }),
  z.object({ ...EventBase, type: z.literal('finished'), record: BakeRecordSchema }),
]);
export type BakeEvent = z.infer<typeof BakeEventSchema>;

/** A recorded version of a project: one successful bake. */
export const VersionSchema = z.object({
  project: ProjectNameSchema,
  version: z.number().int().positive(),
  bakeId: BakeIdSchema,
  createdAt: z.number(),
  profile: z.string(),
  region: z.string(),
  simulated: z.boolean(),
  imageId: z.string(),
  imageName: z.string(),
  snapshotIds: z.array(z.string()),
  baseImageId: z.string(),
  instanceType: z.string(),
  initScript: z.string(),
  scriptSha256: z.string(),
  /** As baked: plain values, and references by name (a resolved value is never recorded). */
  env: EnvSchema,
  /** The named environment this version was baked for; absent: the project's own values. */
  environment: EnvironmentNameSchema.optional(),
  stepDurationsMs: z.partialRecord(BakeStepSchema, z.number()),
  apiCalls: z.number().int(),
  durationMs: z.number(),
  appVersion: z.string(),
  tags: z.record(z.string(), z.string()),
  /** Every region the image is in (the bake's own first), when the project distributes. */
  images: z
    .array(
      z.object({
        region: z.string(),
        imageId: z.string(),
        snapshotIds: z.array(z.string()),
        encrypted: z.boolean(),
        kmsKeyId: z.string().optional(),
      }),
    )
    .optional(),
  /** The SSM parameter that names this version's image in each of those regions, as published. */
  ssmParameter: z.string().optional(),
  /** Regions the project distributes to that this version did not reach (a partial distribution). */
  missingRegions: z.array(z.object({ region: z.string(), reason: z.string() })).optional(),
});
export type Version = z.infer<typeof VersionSchema>;
