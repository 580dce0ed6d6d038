import { z } from 'zod';
import {
  CallerIdentitySchema,
  GeneratedPolicySchema,
  ImageSearchQuerySchema,
  ImageSummarySchema,
  InstanceTypeSummarySchema,
  KeyPairSummarySchema,
  MfaCodeSchema,
  PermissionReportSchema,
  ProfileListSchema,
  ResolvedAliasSchema,
  ResolvedBaseImageSchema,
  SecurityGroupSummarySchema,
  SubnetSummarySchema,
  TargetSummarySchema,
  VpcSummarySchema,
  pickerListSchema,
} from '../aws';
import {
  ArchitectureSchema,
  BaseImageSchema,
  ProjectSchema,
  RegionSchema,
  SsmReferenceSchema,
} from '../project';

/**
 * Which profile and region a call uses. Both optional: main fills in the profile and region chosen in the
 * header (settings), then the AWS CLI's current profile, then the Sandbox.
 */
export const TargetSelectionSchema = z.object({
  profile: z.string().min(1).max(256).optional(),
  region: RegionSchema.optional(),
});
export type TargetSelection = z.infer<typeof TargetSelectionSchema>;

const picker = <T extends z.ZodRawShape>(shape: T) =>
  z.object({
    target: TargetSelectionSchema.default({}),
    /** Skip main's short cache: the picker's refresh button. */
    refresh: z.boolean().default(false),
    ...shape,
  });

const VpcIdSchema = z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'A VPC id looks like vpc-0123abcd.');

export const PolicyAnswerSchema = GeneratedPolicySchema.extend({
  /** The account and region the statements are scoped to; absent when they could not be resolved. */
  accountId: z.string().optional(),
  region: z.string().optional(),
  /** Why the policy is not scoped to an account, in words. */
  note: z.string().optional(),
  /** The builder's instance-role policy, when the project's env has references (issue 18). */
  instanceRole: GeneratedPolicySchema.optional(),
});
export type PolicyAnswer = z.infer<typeof PolicyAnswerSchema>;

/**
 * A secret's value on its one way, renderer → main → AWS (issue 18): marked `secret` so the secret-scan
 * tests can find every field that carries one. Main hands it straight to the call and keeps, logs and
 * answers nothing of it.
 */
export const SecretValueSchema = z
  .string()
  .min(1, 'Enter the value.')
  .max(8192, 'A SecureString holds at most 8 KB (advanced tier).')
  .meta({ secret: true });

export const PutSecureParameterRequestSchema = z.object({
  target: TargetSelectionSchema.default({}),
  /** The referenced name, without a version selector: a put makes the next version. */
  name: SsmReferenceSchema.shape.ssm.refine((n) => !/:\d+$/.test(n), 'Give the name without :version.'),
  value: SecretValueSchema,
  /** Alias, key id or ARN; omitted: the AWS managed key alias/aws/ssm. */
  keyId: z.string().min(1).max(2048).optional(),
  description: z.string().max(1024).optional(),
});

export const MfaRequestSchema = z.object({
  requestId: z.string(),
  profile: z.string(),
  mfaSerial: z.string(),
});
export type MfaRequest = z.infer<typeof MfaRequestSchema>;

export const awsInvoke = {
  'aws:profiles': {
    request: z.object({ refresh: z.boolean().default(false) }).optional(),
    response: ProfileListSchema,
  },
  /** Who the profile's credentials belong to. `refresh` forgets cached credentials first (after `aws sso login`). */
  'aws:identity': {
    request: TargetSelectionSchema.extend({ refresh: z.boolean().default(false) }),
    response: z.object({ target: TargetSummarySchema, identity: CallerIdentitySchema }),
  },
  /** Dry-runs every call a bake of this (possibly unsaved) project makes. */
  'aws:check-permissions': {
    request: z.object({ target: TargetSelectionSchema.default({}), project: ProjectSchema }),
    response: PermissionReportSchema,
  },
  'aws:policy': {
    request: z.object({
      target: TargetSelectionSchema.default({}),
      project: ProjectSchema,
      /** Also allow the read-only calls the project form's pickers make. */
      forms: z.boolean().default(true),
    }),
    response: PolicyAnswerSchema,
  },
  /** The code for an aws:mfa-request; null when the person cancelled. Nothing comes back but whether it was awaited. */
  'aws:mfa-answer': {
    request: z.object({ requestId: z.string().min(1).max(100), code: MfaCodeSchema.nullable() }),
    response: z.object({ accepted: z.boolean() }),
  },
  'aws:search-images': {
    request: picker({ query: ImageSearchQuerySchema }),
    response: pickerListSchema(ImageSummarySchema),
  },
  'aws:list-aliases': {
    request: picker({ architecture: ArchitectureSchema.optional() }),
    response: pickerListSchema(ResolvedAliasSchema),
  },
  /** What a base-image setting resolves to today. */
  'aws:preview-image': {
    request: picker({ baseImage: BaseImageSchema }),
    response: ResolvedBaseImageSchema,
  },
  'aws:list-instance-types': {
    request: picker({ architecture: ArchitectureSchema.optional() }),
    response: pickerListSchema(InstanceTypeSummarySchema),
  },
  'aws:list-vpcs': { request: picker({}), response: pickerListSchema(VpcSummarySchema) },
  'aws:list-subnets': {
    request: picker({ vpcId: VpcIdSchema.optional() }),
    response: pickerListSchema(SubnetSummarySchema),
  },
  'aws:list-security-groups': {
    request: picker({ vpcId: VpcIdSchema.optional() }),
    response: pickerListSchema(SecurityGroupSummarySchema),
  },
  'aws:list-key-pairs': { request: picker({}), response: pickerListSchema(KeyPairSummarySchema) },
  /** Creates or updates a SecureString parameter from a masked field; answers which version it made. */
  'aws:put-secure-parameter': {
    request: PutSecureParameterRequestSchema,
    response: z.object({
      name: z.string(),
      version: z.number().int(),
      region: z.string(),
      keyId: z.string(),
    }),
  },
} as const;

export const awsEvents = {
  /** A profile needs an MFA code: the renderer asks and answers with aws:mfa-answer. */
  'aws:mfa-request': MfaRequestSchema,
} as const;
