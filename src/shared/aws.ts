import { z } from 'zod';
import { ArchitectureSchema, BaseImageSchema, RegionSchema } from './project';

/**
 * What the renderer may know about AWS access: profiles, identities, permission checks, policies and the data
 * for the project form's pickers. Nothing here carries a secret — no keys, session tokens, MFA codes or
 * credential_process arguments; those stay in the main process (see src/main/services/aws).
 */

/** Always listed; backed by the offline EC2 simulator. A user profile with this name is hidden. */
export const SANDBOX_PROFILE = 'sandbox';
export const SANDBOX_PROFILE_LABEL = 'Sandbox (simulated, offline)';
/** Listed when AWS_ACCESS_KEY_ID is set, as the AWS CLI would use those variables. */
export const ENVIRONMENT_PROFILE = 'environment';

export const PROFILE_KINDS = [
  'keys', // aws_access_key_id + aws_secret_access_key
  'sso', // IAM Identity Center, with an sso-session or the legacy sso_start_url form
  'assume-role', // role_arn with source_profile or credential_source, maybe with mfa_serial
  'web-identity', // role_arn with web_identity_token_file
  'process', // credential_process
  'login', // login_session (`aws login`)
  'environment',
  'sandbox',
  'incomplete', // a profile that holds settings (region…) but no way to get credentials
] as const;
export const ProfileKindSchema = z.enum(PROFILE_KINDS);
export type ProfileKind = z.infer<typeof ProfileKindSchema>;

export const AWS_SERVICES = ['ec2', 'sts', 'ssm', 'kms', 'autoscaling', 'iam'] as const;
export type AwsService = (typeof AWS_SERVICES)[number];

/** Endpoint overrides (LocalStack, the sandbox, a VPC endpoint); absent means AWS's own endpoint. */
export const ServiceEndpointsSchema = z.object({
  ec2: z.string().optional(),
  sts: z.string().optional(),
  ssm: z.string().optional(),
  kms: z.string().optional(),
  autoscaling: z.string().optional(),
  iam: z.string().optional(),
});
export type ServiceEndpoints = z.infer<typeof ServiceEndpointsSchema>;

export const RegionSourceSchema = z.enum(['AWS_REGION', 'AWS_DEFAULT_REGION', 'profile', 'sandbox']);

export const SsoDetailsSchema = z.object({
  session: z.string().optional(),
  startUrl: z.string().optional(),
  region: z.string().optional(),
  accountId: z.string().optional(),
  roleName: z.string().optional(),
});

export const AwsProfileSchema = z.object({
  name: z.string(),
  label: z.string(),
  kind: ProfileKindSchema,
  /** The profile the AWS CLI would use without --profile (env keys, then AWS_PROFILE, then default). */
  current: z.boolean(),
  /** Effective region: AWS_REGION / AWS_DEFAULT_REGION win over the profile's own, as in the AWS CLI. */
  region: z.string().optional(),
  regionSource: RegionSourceSchema.optional(),
  definedIn: z.array(z.enum(['config', 'credentials', 'environment', 'builtin'])),
  roleArn: z.string().optional(),
  sourceProfile: z.string().optional(),
  credentialSource: z.string().optional(),
  mfaSerial: z.string().optional(),
  sso: SsoDetailsSchema.optional(),
  /** The credential_process program only: its arguments may hold secrets. */
  credentialProcess: z.string().optional(),
  endpoints: ServiceEndpointsSchema,
  /** False when the profile cannot give credentials as written (see problems). */
  usable: z.boolean(),
  /** What is wrong with this profile, in words a person can act on. */
  problems: z.array(z.string()),
});
export type AwsProfile = z.infer<typeof AwsProfileSchema>;

export const ConfigProblemSchema = z.object({
  file: z.string().optional(),
  line: z.number().int().optional(),
  profile: z.string().optional(),
  message: z.string(),
});
export type ConfigProblem = z.infer<typeof ConfigProblemSchema>;

export const ConfigFileInfoSchema = z.object({
  path: z.string(),
  exists: z.boolean(),
  /** Set from AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE rather than the default location. */
  fromEnv: z.boolean(),
});

export const ProfileListSchema = z.object({
  profiles: z.array(AwsProfileSchema),
  currentProfile: z.string().optional(),
  configFile: ConfigFileInfoSchema,
  credentialsFile: ConfigFileInfoSchema,
  /** File-level problems (unreadable file, ignored lines and sections). Good profiles are still listed. */
  problems: z.array(ConfigProblemSchema),
});
export type ProfileList = z.infer<typeof ProfileListSchema>;

/** Which profile and region to use; the main process turns it into credentials and clients. */
export const TargetRequestSchema = z.object({
  profile: z.string().min(1).max(256),
  region: RegionSchema.optional(),
  /** Overrides every service endpoint (e.g. http://localhost:4566 for LocalStack). */
  endpoint: z.url().optional(),
});
export type TargetRequest = z.infer<typeof TargetRequestSchema>;

/** The renderer's view of a resolved target: where calls go, never what signs them. */
export const TargetSummarySchema = z.object({
  profile: z.string(),
  kind: ProfileKindSchema,
  region: z.string(),
  endpoints: ServiceEndpointsSchema,
  simulated: z.boolean(),
});
export type TargetSummary = z.infer<typeof TargetSummarySchema>;

export const CallerIdentitySchema = z.object({ account: z.string(), arn: z.string(), userId: z.string() });
export type CallerIdentity = z.infer<typeof CallerIdentitySchema>;

/** Main asks the renderer for a code with this; the answer travels back as MfaCodeSchema, nothing more. */
export const MfaPromptSchema = z.object({ profile: z.string(), mfaSerial: z.string() });
export type MfaPrompt = z.infer<typeof MfaPromptSchema>;
export const MfaCodeSchema = z.string().regex(/^\d{6}$/, 'An MFA code is 6 digits.');

// ── Permission check ────────────────────────────────────────────────────────────────────────────────────

export const PERMISSION_ACTIONS = [
  'ec2:RunInstances',
  'ec2:CreateTags',
  'ec2:DescribeInstances',
  'ec2:GetConsoleOutput',
  'ec2:StopInstances',
  'ec2:CreateImage',
  'ec2:DescribeImages',
  'ec2:DescribeSnapshots',
  'ec2:TerminateInstances',
  'ec2:DeregisterImage',
  'ec2:DeleteSnapshot',
  'ssm:GetParameter',
  // Distribution and retention (issue 16): only checked for projects that use them.
  'ec2:CopyImage',
  'ec2:ModifyImageAttribute',
  'ec2:ModifySnapshotAttribute',
  'ec2:EnableImageDeprecation',
  'ec2:DisableImage',
  'ec2:DescribeLaunchTemplateVersions',
  'autoscaling:DescribeAutoScalingGroups',
  'kms:DescribeKey',
  // Deploys (issue 17), checked when the project names deploy targets (DescribeLaunchTemplateVersions and
  // DescribeAutoScalingGroups above serve both).
  'ec2:CreateLaunchTemplateVersion',
  'ec2:ModifyLaunchTemplate',
  'autoscaling:DescribeInstanceRefreshes',
  'autoscaling:StartInstanceRefresh',
  'autoscaling:CancelInstanceRefresh',
  'autoscaling:RollbackInstanceRefresh',
  'autoscaling:UpdateAutoScalingGroup',
] as const;
export const PermissionActionSchema = z.enum(PERMISSION_ACTIONS);
export type PermissionAction = z.infer<typeof PermissionActionSchema>;

export const PermissionResultSchema = z.object({
  action: PermissionActionSchema,
  /** `unchecked`: the call cannot be tried without changing something (Auto Scaling has no dry run). */
  status: z.enum(['allowed', 'denied', 'error', 'unchecked']),
  /** AWS's own error code, e.g. UnauthorizedOperation, InvalidSubnetID.NotFound. */
  code: z.string().optional(),
  message: z.string().optional(),
  /** How the answer was read, when it is not a plain DryRunOperation / UnauthorizedOperation. */
  note: z.string().optional(),
});
export type PermissionResult = z.infer<typeof PermissionResultSchema>;

// ── Images and pickers ──────────────────────────────────────────────────────────────────────────────────

export const ImageSummarySchema = z.object({
  imageId: z.string(),
  name: z.string(),
  description: z.string().optional(),
  /** ISO 8601, as EC2 reports it. */
  creationDate: z.string().optional(),
  architecture: z.string(),
  rootDeviceName: z.string().optional(),
  rootDeviceType: z.string().optional(),
  /** Size of the root volume's snapshot, when EC2 says. */
  rootVolumeSizeGiB: z.number().optional(),
  ownerId: z.string().optional(),
  ownerAlias: z.string().optional(),
  platformDetails: z.string().optional(),
  /** `windows` for Windows images; EC2 leaves it out for every other platform. */
  platform: z.string().optional(),
  /** Every EBS device of the image (root included): what a builder encrypted at launch must encrypt. */
  ebsDeviceNames: z.array(z.string()).optional(),
});
export type ImageSummary = z.infer<typeof ImageSummarySchema>;

/** What a project's base image resolves to today; the bake engine launches from `imageId`. */
export const ResolvedBaseImageSchema = ImageSummarySchema.extend({
  source: BaseImageSchema,
  /** The SSM parameter's value, for the `ssm` kind. */
  parameterValue: z.string().optional(),
});
export type ResolvedBaseImage = z.infer<typeof ResolvedBaseImageSchema>;

// ── The builder's instance role (issue 18) ──────────────────────────────────────────────────────────────

/** One env reference the builder resolves with its role: names and ARNs only, never a value. */
export const BuilderRoleReadSchema = z.object({
  variable: z.string(),
  /** The reference in one word (`ssm:/app/prod/db-password`, `secretsmanager:prod/api#token`). */
  reference: z.string(),
  action: z.enum(['ssm:GetParameters', 'secretsmanager:GetSecretValue']),
  resource: z.string(),
  /** IAM's policy simulator's answer (`allowed`, `implicitDeny`, `explicitDeny`); absent when not asked. */
  decision: z.string().optional(),
  /**
   * A read IAM's answer cannot settle (decision then absent): `no-such-secret` — the secret named does not
   * exist where the builder looks, so no role could read it (a failure); `unchecked` — the secret's full ARN
   * could not be looked up, and the simulator's denial of the name pattern may be false (not a failure).
   */
  problem: z.enum(['no-such-secret', 'unchecked']).optional(),
  /** The problem in words, naming the secret and region (and, for `unchecked`, what IAM said of the pattern). */
  why: z.string().optional(),
});
export type BuilderRoleRead = z.infer<typeof BuilderRoleReadSchema>;

export const BUILDER_ROLE_STATUSES = [
  'allowed', // the simulator allows the role every referenced read
  'denied', // it denies at least one
  'no-profile', // references, and no iamInstanceProfile to resolve them with
  'no-such-profile', // the named instance profile does not exist in the account
  'no-role', // it exists and holds no role: the builder gets no credentials
  'unchecked', // the identity that bakes may not ask IAM (not a failure: the builder reports a denial itself)
  'error', // IAM answered something else (code and message say what)
  'no-such-secret', // a secret referenced by name does not exist in its region: no role could read it
] as const;
export const BuilderRoleStatusSchema = z.enum(BUILDER_ROLE_STATUSES);
export type BuilderRoleStatus = z.infer<typeof BuilderRoleStatusSchema>;

/** What IAM says of a builder's role and the references it must read, before anything is launched. */
export const BuilderRoleVerdictSchema = z.object({
  status: BuilderRoleStatusSchema,
  /** The instance profile as the project names it (name or ARN). */
  profile: z.string().optional(),
  /** The role the profile holds, when IAM said. */
  roleArn: z.string().optional(),
  reads: z.array(BuilderRoleReadSchema),
  /** For `unchecked` and `error`: the call that could not be made, or AWS's code. */
  code: z.string().optional(),
  message: z.string().optional(),
});
export type BuilderRoleVerdict = z.infer<typeof BuilderRoleVerdictSchema>;

/** A verdict in the permission report, with which values it is for. */
export const BuilderRoleCheckSchema = BuilderRoleVerdictSchema.extend({
  /**
   * Whose values: the project's own (what a bake without an environment uses) and the named environments
   * that bake with the same profile, region and references (one check serves them all).
   */
  scope: z.object({ project: z.boolean(), environments: z.array(z.string()) }),
});
export type BuilderRoleCheck = z.infer<typeof BuilderRoleCheckSchema>;

export const PermissionReportSchema = z.object({
  target: TargetSummarySchema,
  /** Who was checked: the identity the profile's credentials belong to. */
  identity: CallerIdentitySchema,
  /** The base image the RunInstances check used, when it could be resolved. */
  baseImage: ResolvedBaseImageSchema.optional(),
  results: z.array(PermissionResultSchema),
  /**
   * The builder's instance role, for projects whose env (or an environment's) has references: one check
   * per distinct profile, region and set of references. Absent when nothing is referenced.
   */
  builderRole: z.array(BuilderRoleCheckSchema).optional(),
  /** True when every action is allowed (or cannot be checked), and so is every builder-role read. */
  ok: z.boolean(),
});
export type PermissionReport = z.infer<typeof PermissionReportSchema>;

export const IMAGE_OWNER_PATTERN = /^(?:self|amazon|aws-marketplace|\d{12})$/;

export const ImageSearchQuerySchema = z.object({
  owners: z
    .array(
      z.string().regex(IMAGE_OWNER_PATTERN, 'An owner is self, amazon, aws-marketplace or an account id.'),
    )
    .min(1),
  /** EC2 name filter: * and ? wildcards. Empty means any name. */
  namePattern: z.string().max(256).default('*'),
  architecture: ArchitectureSchema.optional(),
});
export type ImageSearchQuery = z.input<typeof ImageSearchQuerySchema>;

export const PublicAliasSchema = z.object({
  label: z.string(),
  parameter: z.string(),
  architecture: ArchitectureSchema,
});
export type PublicAlias = z.infer<typeof PublicAliasSchema>;

export const ResolvedAliasSchema = PublicAliasSchema.extend({
  image: ImageSummarySchema.optional(),
  /** Why it could not be resolved in this region (e.g. the parameter does not exist there). */
  error: z.string().optional(),
});
export type ResolvedAlias = z.infer<typeof ResolvedAliasSchema>;

export const InstanceTypeSummarySchema = z.object({
  instanceType: z.string(),
  vcpus: z.number().int(),
  memoryMiB: z.number().int(),
  architectures: z.array(z.string()),
  currentGeneration: z.boolean(),
  burstable: z.boolean(),
  /** `nitro` or `xen`: Xen types publish their console late, which slows a bake's end. */
  hypervisor: z.string().optional(),
});
export type InstanceTypeSummary = z.infer<typeof InstanceTypeSummarySchema>;

export const VpcSummarySchema = z.object({
  vpcId: z.string(),
  name: z.string().optional(),
  cidrBlock: z.string().optional(),
  isDefault: z.boolean(),
});
export type VpcSummary = z.infer<typeof VpcSummarySchema>;

export const SubnetSummarySchema = z.object({
  subnetId: z.string(),
  vpcId: z.string(),
  name: z.string().optional(),
  availabilityZone: z.string().optional(),
  cidrBlock: z.string().optional(),
  availableIpAddressCount: z.number().int().optional(),
  defaultForAz: z.boolean(),
  mapPublicIpOnLaunch: z.boolean(),
});
export type SubnetSummary = z.infer<typeof SubnetSummarySchema>;

export const SecurityGroupSummarySchema = z.object({
  groupId: z.string(),
  groupName: z.string(),
  vpcId: z.string().optional(),
  description: z.string().optional(),
});
export type SecurityGroupSummary = z.infer<typeof SecurityGroupSummarySchema>;

export const KeyPairSummarySchema = z.object({
  keyName: z.string(),
  keyPairId: z.string().optional(),
  keyType: z.string().optional(),
});
export type KeyPairSummary = z.infer<typeof KeyPairSummarySchema>;

/** Every picker answers with the whole list (paginated in main) and when it was fetched (cache age). */
export function pickerListSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), fetchedAt: z.number(), truncated: z.boolean().optional() });
}
export interface PickerList<T> {
  items: T[];
  fetchedAt: number;
  /** The search matched more than the picker reads; narrow the pattern. */
  truncated?: boolean;
}

// ── Policy ──────────────────────────────────────────────────────────────────────────────────────────────

const StringOrList = z.union([z.string(), z.array(z.string())]);
export const IamStatementSchema = z.object({
  Sid: z.string().regex(/^[A-Za-z0-9]+$/),
  Effect: z.literal('Allow'),
  Action: StringOrList,
  Resource: StringOrList,
  Condition: z.record(z.string(), z.record(z.string(), StringOrList)).optional(),
});
export type IamStatement = z.infer<typeof IamStatementSchema>;

export const IamPolicySchema = z.object({
  Version: z.literal('2012-10-17'),
  Statement: z.array(IamStatementSchema),
});
export type IamPolicy = z.infer<typeof IamPolicySchema>;

export const GeneratedPolicySchema = z.object({
  policy: IamPolicySchema,
  /** One line per statement, keyed by Sid: why Quadraxis needs it and what the conditions prevent. */
  explanations: z.array(z.object({ sid: z.string(), text: z.string() })),
});
export type GeneratedPolicy = z.infer<typeof GeneratedPolicySchema>;
