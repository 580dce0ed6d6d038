import { z } from 'zod';
import {
  DEFAULT_ENVIRONMENT_SEGMENT,
  DistributionSchema,
  ENVIRONMENT_PLACEHOLDER,
  RetentionSchema,
} from './project-delivery';
import {
  AmiIdSchema,
  ArchitectureSchema,
  DEFAULT_IMAGE_NAME_TEMPLATE,
  ENV_NAME_PATTERN,
  INSTANCE_TYPE_PATTERN,
  ProjectNameSchema,
  RegionSchema,
  VOLUME_TYPES,
} from './project-fields';

// The field patterns and the delivery blocks live in files of their own; importers keep using this one.
export * from './project-fields';
export * from './project-delivery';

/**
 * A project: everything needed to turn a base image and an init script into a new AMI. This is also the
 * format of `quadraxis.yaml` files teams keep in their repositories, so every field is documented and the
 * schema is versioned: `schemaVersion` bumps with a migration in the store, never silently.
 *
 * Version 2 added optional blocks only (completion.cloudConfigWarnings, distribution, retention, deploy,
 * env references and environments). The bump is what makes a Quadraxis from before them, which drops keys
 * it does not know when it saves, refuse such a file as "from a newer Quadraxis" instead of losing them.
 */
export const PROJECT_SCHEMA_VERSION = 2;

export const BaseImageSchema = z.discriminatedUnion('kind', [
  /** A fixed AMI id. */
  z.object({ kind: z.literal('id'), imageId: AmiIdSchema }),
  /** The newest image matching owners + name pattern + architecture, like Packer's source_ami_filter most_recent. */
  z.object({
    kind: z.literal('latest'),
    owners: z
      .array(
        z
          .string()
          .regex(
            /^(?:self|amazon|aws-marketplace|\d{12})$/,
            'An owner is self, amazon, aws-marketplace or an account id.',
          ),
      )
      .min(1, 'Give at least one owner.'),
    namePattern: z.string().min(1).max(256),
    architecture: ArchitectureSchema,
  }),
  /** An SSM public parameter holding an AMI id, e.g. /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64 */
  z.object({
    kind: z.literal('ssm'),
    parameter: z.string().regex(/^\/[A-Za-z0-9_.\-/]+$/, 'An SSM parameter name starts with / .'),
  }),
]);
export type BaseImage = z.infer<typeof BaseImageSchema>;

/** How long an init script may run before the bake gives up on it: a day at most. */
export const ScriptTimeoutMinutesSchema = z
  .number()
  .int()
  .min(1)
  .max(24 * 60);

export const CompletionSchema = z.discriminatedUnion('mode', [
  /**
   * The default: the engine wraps the script so the instance reports its exit code on the serial console and
   * powers itself off once the script has ended. The bake waits for exactly that.
   */
  z.object({
    mode: z.literal('wrapper'),
    timeoutMinutes: ScriptTimeoutMinutesSchema.default(30),
    /**
     * Run `cloud-init clean` before powering off, so the image boots as a new instance. Whatever it says,
     * the user data, its environment and the wrapper are removed from the builder before it is imaged.
     */
    cloudInitClean: z.boolean().default(true),
    /**
     * What cloud-init's recoverable errors (a misspelled or deprecated key, a module that could not do its
     * part) mean for a #cloud-config bake: `fail` it (the default: an image nobody asked for is worse than
     * a failed bake) or `accept` them (the bake succeeds with warnings, cloud-init's list on the record).
     * Unset means `fail` (optional rather than defaulted, so completions written before it stay as they are).
     */
    cloudConfigWarnings: z.enum(['fail', 'accept']).optional(),
  }),
  /** For images where the wrapper cannot run: wait a fixed time after "running", then stop through the API. */
  z.object({
    mode: z.literal('wait'),
    seconds: z
      .number()
      .int()
      .min(1)
      .max(24 * 3600),
    timeoutMinutes: ScriptTimeoutMinutesSchema.default(30),
  }),
]);
export type Completion = z.infer<typeof CompletionSchema>;

// ── Environment values: plain strings, or references resolved on the builder (issue 18) ─────────────────

/** A Parameter Store name (`/app/prod/db-password` or `db-password`), optionally pinned to a version (`:3`). */
export const SSM_REFERENCE_PATTERN = /^(?:(?:\/[a-zA-Z0-9_.-]+)+|[a-zA-Z0-9_.-]+)(?::\d{1,10})?$/;
/** A Secrets Manager secret: its name, or its ARN (which also names its region). */
export const SECRET_ID_PATTERN =
  /^(?:[A-Za-z0-9/_+=.@-]{1,512}|arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512})$/;

export const SsmReferenceSchema = z.strictObject({
  /** String or SecureString; resolved with GetParameters WithDecryption on the builder. */
  ssm: z
    .string()
    .max(2048)
    .regex(
      SSM_REFERENCE_PATTERN,
      'A parameter name holds letters, digits, . - _ and /, a full path starting with / (optionally :<version>).',
    )
    .refine((name) => !/^\/?(aws|ssm)/i.test(name), 'Parameter names may not begin with aws or ssm.'),
});
export const SecretsManagerReferenceSchema = z.strictObject({
  /** The secret's name or ARN; resolved with GetSecretValue (AWSCURRENT) on the builder. */
  secretsManager: z
    .string()
    .regex(SECRET_ID_PATTERN, 'A secret is named by its name (letters, digits, /_+=.@-) or its ARN.'),
  /** The secret holds JSON: take this top-level key's value. Omitted: the whole SecretString. */
  key: z.string().min(1).max(256).optional(),
});
export const EnvReferenceSchema = z.union([SsmReferenceSchema, SecretsManagerReferenceSchema]);
export type EnvReference = z.infer<typeof EnvReferenceSchema>;

export const EnvValueSchema = z.union(
  [z.string().max(4096), SsmReferenceSchema, SecretsManagerReferenceSchema],
  {
    error:
      'An environment value is a string, { ssm: <parameter name> } or { secretsManager: <secret name or ARN>, key: <JSON key> }.',
  },
);
export type EnvValue = z.infer<typeof EnvValueSchema>;

export const EnvSchema = z.record(
  z.string().regex(ENV_NAME_PATTERN, 'Environment variable names are letters, digits and _.'),
  EnvValueSchema,
);
export type Env = z.infer<typeof EnvSchema>;

export const ENVIRONMENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
export const EnvironmentNameSchema = z
  .string()
  .regex(ENVIRONMENT_NAME_PATTERN, 'An environment name is 1–32 letters, digits, - or _ (like prod).');

export const InstanceTypeSchema = z
  .string()
  .regex(INSTANCE_TYPE_PATTERN, 'An instance type looks like t3.micro.');
export const SubnetIdSchema = z
  .string()
  .regex(/^subnet-[0-9a-f]{8,17}$/, 'A subnet id looks like subnet-0123abcd.');
export const SecurityGroupIdSchema = z
  .string()
  .regex(/^sg-[0-9a-f]{8,17}$/, 'A security group id looks like sg-0123abcd.');
export const InstanceProfileSchema = z
  .string()
  .regex(
    /^(?:arn:aws[a-z-]*:iam::\d{12}:instance-profile\/)?[\w+=,.@/-]{1,128}$/,
    'Not an instance profile name or ARN.',
  );

/**
 * A named environment (dev, staging, prod): the project with these values instead. `env` overrides (or
 * adds) variables one by one; the launch settings replace the project's. The instance profile may differ
 * too, so each environment's role reads only its own secrets.
 */
export const EnvironmentSchema = z.strictObject({
  description: z.string().max(1024).optional(),
  env: EnvSchema.default({}),
  region: RegionSchema.optional(),
  instanceType: InstanceTypeSchema.optional(),
  subnetId: SubnetIdSchema.optional(),
  securityGroupIds: z.array(SecurityGroupIdSchema).optional(),
  iamInstanceProfile: InstanceProfileSchema.optional(),
});
export type Environment = z.infer<typeof EnvironmentSchema>;

/**
 * How an instance refresh rolls a new image out (StartInstanceRefresh's preferences, in the project's
 * words). Unset fields: the target's, then the project's, then Quadraxis's defaults (DEPLOY_DEFAULTS in
 * src/shared/deploy.ts).
 */
export const DeployPreferencesSchema = z
  .strictObject({
    /** Capacity kept in service and healthy while instances are replaced, in % of the desired capacity. */
    minHealthyPercentage: z.number().int().min(0).max(100).optional(),
    /** Above 100, replacements launch before the instances they replace terminate. */
    maxHealthyPercentage: z.number().int().min(100).max(200).optional(),
    /** How long a new instance warms up before it counts; omitted: the group's own warmup. */
    instanceWarmupSeconds: z.number().int().min(0).max(86_400).optional(),
    /** Pause points, in % of instances replaced, ascending (e.g. [20, 50, 100]). */
    checkpoints: z.array(z.number().int().min(1).max(100)).min(1).max(10).optional(),
    checkpointDelaySeconds: z.number().int().min(0).max(172_800).optional(),
    /** Leave instances that already run the new launch template version. */
    skipMatching: z.boolean().optional(),
    /** Let AWS roll the group back by itself when the refresh fails. */
    autoRollback: z.boolean().optional(),
  })
  .refine((p) => !p.checkpoints || p.checkpoints.every((c, i) => i === 0 || c > p.checkpoints![i - 1]!), {
    message: 'Checkpoints go in ascending order.',
    path: ['checkpoints'],
  })
  .refine(
    (p) => (p.maxHealthyPercentage ?? 100) - (p.minHealthyPercentage ?? 0) <= 100,
    'maxHealthyPercentage may be at most 100 points above minHealthyPercentage.',
  );
export type DeployPreferences = z.infer<typeof DeployPreferencesSchema>;

/** EC2 Auto Scaling group names: 1–255 characters, no control characters. */
export const GroupNameSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^\P{Cc}+$/u, 'An Auto Scaling group name has no control characters.');

export const DeployTargetSchema = z.strictObject({
  /** The Auto Scaling group, which launches from a launch template. */
  group: GroupNameSchema,
  /** Omitted: the project's region (else the region the deploy is run in). */
  region: RegionSchema.optional(),
  /** The profile that reaches the group's account; omitted: the profile the deploy is run with. */
  profile: z.string().min(1).max(256).optional(),
  preferences: DeployPreferencesSchema.optional(),
  /**
   * The named environment whose images this group runs. A bake deploys here on its own (`afterWebhookBake`,
   * `quadraxis bake --deploy`) only when it is a bake of this environment; omitted: bakes of the project's
   * own values. So a push to a dev branch can never roll its image out to prod's group.
   */
  environment: EnvironmentNameSchema.optional(),
});
export type DeployTarget = z.infer<typeof DeployTargetSchema>;

/** Where a project's images go into service (issue 17). */
export const DeploySettingsSchema = z
  .strictObject({
    targets: z.array(DeployTargetSchema).max(50).default([]),
    /** For every target, unless the target says otherwise. */
    preferences: DeployPreferencesSchema.optional(),
    /** A bake the webhook starts deploys its new version to every target once it succeeds. */
    afterWebhookBake: z.boolean().default(false),
  })
  .refine(
    (d) => new Set(d.targets.map((t) => `${t.group}\u0000${t.region ?? ''}`)).size === d.targets.length,
    { message: 'A group is named twice for the same region.', path: ['targets'] },
  );
export type DeploySettings = z.infer<typeof DeploySettingsSchema>;

const TagKeySchema = z
  .string()
  .min(1)
  .max(128)
  .refine(
    (k) => !/^aws:/i.test(k) && !k.startsWith('quadraxis:'),
    'Tag keys starting with aws: or quadraxis: are reserved.',
  );

export const ProjectSchema = z
  .object({
    schemaVersion: z.literal(PROJECT_SCHEMA_VERSION).default(PROJECT_SCHEMA_VERSION),
    name: ProjectNameSchema,
    description: z.string().max(1024).default(''),
    /** Overrides the profile's default region for this project. */
    region: RegionSchema.optional(),
    baseImage: BaseImageSchema,
    instanceType: InstanceTypeSchema.default('t3.micro'),
    subnetId: SubnetIdSchema.optional(),
    securityGroupIds: z.array(SecurityGroupIdSchema).default([]),
    /** Name or ARN of an IAM instance profile for the builder (its role resolves env references). */
    iamInstanceProfile: InstanceProfileSchema.optional(),
    keyName: z.string().min(1).max(255).optional(),
    rootVolume: z
      .object({
        /** Omitted: the base image's own size. */
        sizeGiB: z.number().int().min(1).max(16384).optional(),
        type: z.enum(VOLUME_TYPES).default('gp3'),
      })
      .default({ type: 'gp3' }),
    /** The init script: any shebang, or #cloud-config. */
    initScript: z.string().max(1024 * 1024, 'The init script is over 1 MB.'),
    /**
     * Exported to the script's environment on the builder. A plain value travels in the user data (not for
     * secrets); a reference ({ ssm: name } or { secretsManager: id, key? }) is resolved on the builder.
     */
    env: EnvSchema.default({}),
    /** Placeholders: {project}, {yyyyMMdd-HHmmss}, {yyyyMMdd}, {bakeId}, {version}. */
    imageName: z.string().min(1).max(256).default(DEFAULT_IMAGE_NAME_TEMPLATE),
    imageDescription: z.string().max(255).optional(),
    tags: z.record(TagKeySchema, z.string().max(256)).default({}),
    completion: CompletionSchema.default({ mode: 'wrapper', timeoutMinutes: 30, cloudInitClean: true }),
    /** Bake-on-push settings (the webhook). Secrets are never stored here. */
    triggers: z
      .object({
        /** Branches whose pushes bake; empty means the repository's default branch. */
        branches: z.array(z.string().min(1).max(255)).default([]),
        /** Which environment a push to a branch bakes (branch → environment name); unmapped: none. */
        environments: z.record(z.string().min(1).max(255), EnvironmentNameSchema).optional(),
      })
      .default({ branches: [] }),
    /** Auto Scaling groups this project's versions are deployed to (issue 17). Omitted: none named. */
    deploy: DeploySettingsSchema.optional(),
    /** Copies to other regions, sharing, encryption, SSM publishing (issue 16). Omitted: this region only. */
    distribution: DistributionSchema.optional(),
    /** Which old images prune retires (issue 16). Omitted: prune keeps everything. */
    retention: RetentionSchema.optional(),
    /** Named overrides of env values and launch settings a bake can pick (issue 18). Omitted: none. */
    environments: z.record(EnvironmentNameSchema, EnvironmentSchema).optional(),
  })
  .superRefine((project, ctx) => {
    // A branch mapped to an environment the project does not define would bake with the wrong values.
    for (const [branch, name] of Object.entries(project.triggers.environments ?? {})) {
      if (!project.environments?.[name])
        ctx.addIssue({
          code: 'custom',
          path: ['triggers', 'environments', branch],
          message: `There is no environment named ${name} (environments: ${Object.keys(project.environments ?? {}).join(', ') || 'none'}).`,
        });
    }
    // One published parameter for every environment: each bake would overwrite the image id the others read.
    const parameter = project.distribution?.ssmParameter;
    const names = Object.keys(project.environments ?? {});
    if (parameter !== undefined && names.length > 0) {
      if (!parameter.includes(ENVIRONMENT_PLACEHOLDER)) {
        const [first, second] = names;
        const clash =
          second !== undefined
            ? `a bake of ${first} would overwrite the image id ${second} reads`
            : `a bake of ${first} and a bake of the project's own values would overwrite each other's image id`;
        const suggestion = parameter.replace(/\/([^/]*)$/, `/${ENVIRONMENT_PLACEHOLDER}/$1`);
        ctx.addIssue({
          code: 'custom',
          path: ['distribution', 'ssmParameter'],
          message: `The project has environments (${names.join(', ')}), so ${clash}. Put ${ENVIRONMENT_PLACEHOLDER} in the name, e.g. ${suggestion}.`,
        });
      } else if (names.includes(DEFAULT_ENVIRONMENT_SEGMENT)) {
        ctx.addIssue({
          code: 'custom',
          path: ['environments', DEFAULT_ENVIRONMENT_SEGMENT],
          message: `An environment named ${DEFAULT_ENVIRONMENT_SEGMENT} would publish to the same parameter as a bake of the project's own values (${ENVIRONMENT_PLACEHOLDER} is ${DEFAULT_ENVIRONMENT_SEGMENT} for those). Give it another name.`,
        });
      }
    }
    // Webhook queues and locks are files named by the environment, and macOS and Windows ignore case.
    const byCase = new Map<string, string>();
    for (const name of Object.keys(project.environments ?? {})) {
      const other = byCase.get(name.toLowerCase());
      if (other !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['environments', name],
          message: `Environments ${other} and ${name} differ only in case: give them names that differ otherwise.`,
        });
      byCase.set(name.toLowerCase(), name);
    }
    // A group meant for an environment that does not exist would never be deployed to after a bake.
    (project.deploy?.targets ?? []).forEach((target, index) => {
      if (target.environment !== undefined && !project.environments?.[target.environment])
        ctx.addIssue({
          code: 'custom',
          path: ['deploy', 'targets', index, 'environment'],
          message: `There is no environment named ${target.environment} (environments: ${Object.keys(project.environments ?? {}).join(', ') || 'none'}).`,
        });
    });
  });

/** A project as written by a person (defaults optional). */
export type ProjectInput = z.input<typeof ProjectSchema>;
/** A project after validation (defaults filled). */
export type Project = z.infer<typeof ProjectSchema>;
