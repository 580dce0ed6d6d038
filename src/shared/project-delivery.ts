import { z } from 'zod';
import { RegionSchema } from './project-fields';

/** Delivery: where the image goes once baked (copies, shares, encryption, publishing), and how long old ones stay. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const ORGANIZATION_ARN_PATTERN =
  /^arn:aws[a-z-]*:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}$/;
export const ORGANIZATIONAL_UNIT_ARN_PATTERN =
  /^arn:aws[a-z-]*:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
/** A KMS key as EC2 takes it: alias name, key id, key ARN or alias ARN. */
export const KMS_KEY_PATTERN =
  /^(?:alias\/[a-zA-Z0-9/_-]{1,250}|(?:mrk-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key\/(?:mrk-)?[0-9a-f-]{32,36}|alias\/[a-zA-Z0-9/_-]{1,250}))$/;
/**
 * An SSM parameter name, with {project} standing for the project's name and {environment} for the bake's
 * environment (`default` for a bake of the project's own values).
 */
export const SSM_PARAMETER_TEMPLATE_PATTERN =
  /^\/(?:[a-zA-Z0-9_.-]|\{project\}|\{environment\})+(?:\/(?:[a-zA-Z0-9_.-]|\{project\}|\{environment\})+)*$/;
/** The placeholder that gives each environment its own published parameter. */
export const ENVIRONMENT_PLACEHOLDER = '{environment}';
/** What {environment} becomes for a bake of the project's own values (no named environment). */
export const DEFAULT_ENVIRONMENT_SEGMENT = 'default';

export const AccountIdSchema = z
  .string()
  .regex(ACCOUNT_ID_PATTERN, 'An AWS account id is 12 digits, without dashes (like 111122223333).');
export const KmsKeyIdSchema = z
  .string()
  .regex(KMS_KEY_PATTERN, 'A KMS key is an alias (alias/my-key), a key id or a key or alias ARN.');

/** Only ARNs name one region's key; aliases and key ids are looked up in whichever region uses them. */
export function kmsKeyRegion(key: string): string | undefined {
  return /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/.exec(key)?.[1];
}

export const DistributionSchema = z
  .object({
    /** Copies besides the bake's own region, each waited for and tagged like the original. */
    regions: z
      .array(RegionSchema)
      .max(25)
      .default([])
      .refine((r) => new Set(r).size === r.length, 'Each region once.'),
    /** Launch permissions on the image in every region; `snapshots` also lets the accounts create volumes. */
    shareWith: z
      .object({
        accounts: z.array(AccountIdSchema).max(100).default([]),
        organizations: z
          .array(
            z
              .string()
              .regex(
                ORGANIZATION_ARN_PATTERN,
                'An organization ARN looks like arn:aws:organizations::111122223333:organization/o-exampleorgid.',
              ),
          )
          .max(20)
          .default([]),
        organizationalUnits: z
          .array(
            z
              .string()
              .regex(
                ORGANIZATIONAL_UNIT_ARN_PATTERN,
                'An OU ARN looks like arn:aws:organizations::111122223333:ou/o-exampleorgid/ou-ab12-cdef3456.',
              ),
          )
          .max(20)
          .default([]),
        /** Also grant the accounts createVolumePermission on the snapshots (EC2 has no org/OU form for it). */
        snapshots: z.boolean().default(false),
      })
      .default({ accounts: [], organizations: [], organizationalUnits: [], snapshots: false }),
    /**
     * Encrypt the image's snapshots: `kmsKeyId` for every region, `kmsKeyIds` per region (winning over it).
     * `{}` uses the AWS managed key alias/aws/ebs, which cannot be shared with other accounts.
     */
    encryption: z
      .object({
        kmsKeyId: KmsKeyIdSchema.optional(),
        kmsKeyIds: z.record(RegionSchema, KmsKeyIdSchema).default({}),
      })
      .optional(),
    /**
     * Published in every region the image is in, with the aws:ec2:image data type. With {environment}, each
     * environment has its own (a project with environments must use it: see ProjectSchema).
     */
    ssmParameter: z
      .string()
      .max(1011)
      .regex(
        SSM_PARAMETER_TEMPLATE_PATTERN,
        'A parameter name starts with / and holds letters, digits, . - _ / and the {project} and {environment} placeholders.',
      )
      .refine((name) => !/^\/(aws|ssm)/i.test(name), 'Parameter names may not begin with /aws or /ssm.')
      .optional(),
    /** When the new image is published, mark the project's older images deprecated (EnableImageDeprecation). */
    deprecateOlder: z.boolean().default(false),
    /** A copy that fails leaves the others: the bake succeeds with the regions that worked. */
    allowPartial: z.boolean().default(false),
  })
  .superRefine((d, ctx) => {
    const shared =
      d.shareWith.accounts.length +
        d.shareWith.organizations.length +
        d.shareWith.organizationalUnits.length >
      0;
    // Preflight asks KMS about every region's key (KeyManager AWS); this catches what the file alone shows.
    const keys = d.encryption ? [d.encryption.kmsKeyId, ...Object.values(d.encryption.kmsKeyIds)] : [];
    const managed =
      keys.every((k) => k === undefined) ||
      keys.some((k) => k !== undefined && /(^|:)alias\/aws\/ebs$/.test(k));
    if (shared && d.encryption && managed) {
      ctx.addIssue({
        code: 'custom',
        path: ['encryption'],
        message:
          'An image encrypted with the AWS managed key (alias/aws/ebs) cannot be shared: other accounts can never use that key. Use a customer managed key and let the accounts use it in its key policy.',
      });
    }
    const pinned = d.encryption?.kmsKeyId && kmsKeyRegion(d.encryption.kmsKeyId);
    const uncovered = d.regions.filter((r) => !d.encryption?.kmsKeyIds[r]);
    if (pinned && uncovered.some((r) => r !== pinned)) {
      ctx.addIssue({
        code: 'custom',
        path: ['encryption', 'kmsKeyId'],
        message: `A key ARN names a key in ${pinned} only; KMS keys never leave their region. Use an alias, or give kmsKeyIds for ${uncovered.filter((r) => r !== pinned).join(', ')}.`,
      });
    }
    for (const [region, key] of Object.entries(d.encryption?.kmsKeyIds ?? {})) {
      const home = kmsKeyRegion(key);
      if (home && home !== region)
        ctx.addIssue({
          code: 'custom',
          path: ['encryption', 'kmsKeyIds', region],
          message: `This key ARN is in ${home}, not ${region}.`,
        });
    }
  });
export type Distribution = z.infer<typeof DistributionSchema>;

export const RetentionSchema = z
  .object({
    /** Keep the newest N images per region and environment… */
    keep: z.number().int().min(1).max(1000).optional(),
    /** …and/or those younger than D days. An image either rule keeps is kept. */
    maxAgeDays: z.number().int().min(1).max(3650).optional(),
    /** Prune after each successful bake. */
    pruneAfterBake: z.boolean().default(false),
    /** Disable an image first (DisableImage) and deregister it only this many days later. */
    disableForDays: z.number().int().min(1).max(365).optional(),
  })
  .refine((r) => r.keep !== undefined || r.maxAgeDays !== undefined, {
    message: 'Give keep, maxAgeDays or both: what to keep.',
  });
export type Retention = z.infer<typeof RetentionSchema>;
