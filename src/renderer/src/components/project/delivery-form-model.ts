import { z } from 'zod';
import {
  DistributionSchema,
  RetentionSchema,
  type Distribution,
  type ProjectInput,
  type Retention,
} from '../../../../shared/project';

/**
 * The Delivery tab's values: distribution and retention as a person edits them — switches for "off",
 * lists for accounts and regions, rows for per-region keys, '' for an empty number. The rules are the
 * shared schemas' own: the values are turned back into a project's `distribution` / `retention` and checked
 * with DistributionSchema / RetentionSchema, each complaint placed on the field it is about.
 */
export const DistributionFormSchema = z
  .object({
    enabled: z.boolean(),
    regions: z.array(z.string()),
    accounts: z.array(z.string()),
    organizations: z.array(z.string()),
    organizationalUnits: z.array(z.string()),
    shareSnapshots: z.boolean(),
    encrypt: z.boolean(),
    kmsKeyId: z.string(),
    kmsKeyIds: z.array(z.object({ region: z.string(), key: z.string() })),
    ssmParameter: z.string(),
    deprecateOlder: z.boolean(),
    allowPartial: z.boolean(),
  })
  .superRefine((values, ctx) => {
    const input = toDistribution(values);
    if (!input) return;
    const result = DistributionSchema.safeParse(input);
    if (result.success) return;
    for (const issue of result.error.issues) {
      const at = formPath(issue.path, values);
      const bad = valueAt(input, issue.path);
      ctx.addIssue({
        code: 'custom',
        path: at,
        message:
          typeof bad === 'string' && at.length === 1 && Array.isArray(values[at[0] as keyof typeof values])
            ? `${bad}: ${issue.message}`
            : issue.message,
      });
    }
  });
export type DistributionFormValues = z.input<typeof DistributionFormSchema>;

const countOrBlank = z.union([z.number(), z.string()]);

export const RetentionFormSchema = z
  .object({
    enabled: z.boolean(),
    keep: countOrBlank,
    maxAgeDays: countOrBlank,
    disableForDays: countOrBlank,
    pruneAfterBake: z.boolean(),
  })
  .superRefine((values, ctx) => {
    const input = toRetention(values);
    if (!input) return;
    const result = RetentionSchema.safeParse(input);
    if (result.success) return;
    for (const issue of result.error.issues)
      ctx.addIssue({
        code: 'custom',
        path: issue.path.length > 0 ? issue.path.map(String) : ['keep'],
        message: issue.message,
      });
  });
export type RetentionFormValues = z.input<typeof RetentionFormSchema>;

export function toDistributionForm(d: Distribution | undefined): DistributionFormValues {
  return {
    enabled: d !== undefined,
    regions: d?.regions ?? [],
    accounts: d?.shareWith.accounts ?? [],
    organizations: d?.shareWith.organizations ?? [],
    organizationalUnits: d?.shareWith.organizationalUnits ?? [],
    shareSnapshots: d?.shareWith.snapshots ?? false,
    encrypt: d?.encryption !== undefined,
    kmsKeyId: d?.encryption?.kmsKeyId ?? '',
    kmsKeyIds: Object.entries(d?.encryption?.kmsKeyIds ?? {}).map(([region, key]) => ({ region, key })),
    ssmParameter: d?.ssmParameter ?? '',
    deprecateOlder: d?.deprecateOlder ?? false,
    allowPartial: d?.allowPartial ?? false,
  };
}

export function toRetentionForm(r: Retention | undefined): RetentionFormValues {
  return {
    enabled: r !== undefined,
    keep: r?.keep ?? '',
    maxAgeDays: r?.maxAgeDays ?? '',
    disableForDays: r?.disableForDays ?? '',
    pruneAfterBake: r?.pruneAfterBake ?? false,
  };
}

/** Back to the project file's shape; undefined when the section is off. Rows still being typed are skipped. */
export function toDistribution(
  v: DistributionFormValues,
): NonNullable<ProjectInput['distribution']> | undefined {
  if (!v.enabled) return undefined;
  const perRegion = v.kmsKeyIds.filter((row) => row.region !== '' && row.key.trim() !== '');
  return {
    regions: v.regions,
    shareWith: {
      accounts: v.accounts,
      organizations: v.organizations,
      organizationalUnits: v.organizationalUnits,
      snapshots: v.shareSnapshots,
    },
    ...(v.encrypt
      ? {
          encryption: {
            ...(v.kmsKeyId.trim() !== '' ? { kmsKeyId: v.kmsKeyId.trim() } : {}),
            kmsKeyIds: Object.fromEntries(perRegion.map((row) => [row.region, row.key.trim()])),
          },
        }
      : {}),
    ...(v.ssmParameter.trim() !== '' ? { ssmParameter: v.ssmParameter.trim() } : {}),
    deprecateOlder: v.deprecateOlder,
    allowPartial: v.allowPartial,
  };
}

const count = (value: number | string): number | undefined =>
  value === '' || value === undefined ? undefined : Number(value);

export function toRetention(v: RetentionFormValues): NonNullable<ProjectInput['retention']> | undefined {
  if (!v.enabled) return undefined;
  const keep = count(v.keep);
  const maxAgeDays = count(v.maxAgeDays);
  const disableForDays = count(v.disableForDays);
  return {
    ...(keep !== undefined ? { keep } : {}),
    ...(maxAgeDays !== undefined ? { maxAgeDays } : {}),
    ...(disableForDays !== undefined ? { disableForDays } : {}),
    pruneAfterBake: v.pruneAfterBake,
  };
}

/** Where a DistributionSchema complaint belongs in the form. */
function formPath(path: readonly PropertyKey[], values: DistributionFormValues): string[] {
  const [first, second, third] = path.map(String);
  if (first === 'shareWith') return second === 'snapshots' ? ['shareSnapshots'] : [second ?? 'accounts'];
  if (first === 'encryption') {
    if (second === 'kmsKeyIds' && third !== undefined) {
      const row = values.kmsKeyIds.findIndex((r) => r.region === third);
      return row >= 0 ? ['kmsKeyIds', String(row), 'key'] : ['kmsKeyId'];
    }
    return ['kmsKeyId'];
  }
  return [first ?? 'regions'];
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = input;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}
