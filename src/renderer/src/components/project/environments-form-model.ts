import { z } from 'zod';
import {
  EnvironmentNameSchema,
  EnvironmentSchema,
  ProjectSchema,
  type Env,
  type EnvValue,
  type Environment,
  type Project,
} from '../../../../shared/project';

/**
 * Named environments and the webhook's branch → environment mappings as the project form holds them: rows,
 * so an environment can be renamed and its variables reordered, and every rule the shared schema's own.
 */

/** '' means "not set"; anything else must pass the shared field schema, with its own message. */
export function blankOr(schema: z.ZodType<unknown>) {
  return z.string().superRefine((value, ctx) => {
    if (value.trim() === '') return;
    const result = schema.safeParse(value);
    if (!result.success)
      for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
  });
}

export function uniqueBy<T>(
  key: (row: T) => string,
  field: string,
  what: string,
  same: (name: string) => string = (name) => name,
) {
  return (rows: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    rows.forEach((row, index) => {
      const name = key(row);
      if (name !== '' && seen.has(same(name))) {
        ctx.addIssue({
          code: 'custom',
          path: [index, field],
          message: `${what} ${name} is already set above.`,
        });
      }
      seen.add(same(name));
    });
  };
}

const envShape = ProjectSchema.shape.env.unwrap();
export const EnvRowSchema = z.object({ name: envShape.keyType, value: envShape.valueType });
export type EnvRow = z.input<typeof EnvRowSchema>;
export const EnvRowsSchema = z.array(EnvRowSchema).superRefine(uniqueBy((r) => r.name, 'name', 'Variable'));

const environment = EnvironmentSchema.shape;

export const EnvironmentRowSchema = z.object({
  name: EnvironmentNameSchema,
  description: environment.description.unwrap(),
  env: EnvRowsSchema,
  region: blankOr(environment.region.unwrap()),
  instanceType: blankOr(environment.instanceType.unwrap()),
  subnetId: blankOr(environment.subnetId.unwrap()),
  /** null: the project's groups; a list (even an empty one, from a project file) replaces them. */
  securityGroupIds: environment.securityGroupIds.unwrap().nullable(),
  iamInstanceProfile: blankOr(environment.iamInstanceProfile.unwrap()),
});
export type EnvironmentRow = z.input<typeof EnvironmentRowSchema>;

export const EnvironmentRowsSchema = z
  .array(EnvironmentRowSchema)
  // Ignoring case, as the project schema does: names differing only in case would share queue files.
  .superRefine(
    uniqueBy(
      (r) => r.name,
      'name',
      'Environment',
      (name) => name.toLowerCase(),
    ),
  );

const triggers = ProjectSchema.shape.triggers.unwrap().shape;
const BranchNameSchema = triggers.branches.unwrap().element;

/**
 * One branch the webhook knows: `listed` when it is in `triggers.branches` (its pushes bake), else only mapped
 * (it bakes when no branches are listed — the default branch, or any branch a direct trigger names).
 * `environment` '' bakes the project's own values.
 */
export const BranchRowSchema = z.object({
  branch: BranchNameSchema,
  listed: z.boolean(),
  environment: z.union([z.literal(''), EnvironmentNameSchema]),
});
export type BranchRow = z.input<typeof BranchRowSchema>;

export const TriggersFormSchema = z.object({
  branches: z.array(BranchRowSchema).superRefine(uniqueBy((r) => r.branch, 'branch', 'Branch')),
});
export type TriggersForm = z.input<typeof TriggersFormSchema>;

/** A mapping to an environment that is no longer defined (deleted or renamed in a way that did not carry it). */
export function checkMappings(
  values: { environments: readonly { name: string }[]; triggers: TriggersForm },
  ctx: z.RefinementCtx,
) {
  const names = new Set(values.environments.map((e) => e.name));
  values.triggers.branches.forEach((row, index) => {
    if (row.environment !== '' && !names.has(row.environment))
      ctx.addIssue({
        code: 'custom',
        path: ['triggers', 'branches', index, 'environment'],
        message: `There is no environment named ${row.environment}.`,
      });
  });
}

export const envRows = (env: Env): EnvRow[] => Object.entries(env).map(([name, value]) => ({ name, value }));

/** Env rows as a record; rows still without a name are being typed, not settings. */
export function envRecord(rows: readonly { name: string; value: EnvValue }[]): Env {
  return Object.fromEntries(rows.filter((r) => r.name !== '').map((r) => [r.name, r.value]));
}

const optional = (value: string) => (value.trim() === '' ? undefined : value.trim());

export function toEnvironmentRows(environments: Project['environments']): EnvironmentRow[] {
  return Object.entries(environments ?? {}).map(([name, e]) => ({
    name,
    description: e.description ?? '',
    env: envRows(e.env),
    region: e.region ?? '',
    instanceType: e.instanceType ?? '',
    subnetId: e.subnetId ?? '',
    securityGroupIds: e.securityGroupIds ?? null,
    iamInstanceProfile: e.iamInstanceProfile ?? '',
  }));
}

/** Back to the project's record; none defined (or all deleted): no `environments` key at all. */
export function toEnvironments(rows: readonly EnvironmentRow[]): Record<string, Environment> | undefined {
  if (rows.length === 0) return undefined;
  return Object.fromEntries(
    rows.map((row) => {
      const e: Environment = { env: envRecord(row.env) };
      const description = row.description.trim() === '' ? undefined : row.description;
      const set = {
        description,
        region: optional(row.region),
        instanceType: optional(row.instanceType),
        subnetId: optional(row.subnetId),
        securityGroupIds: row.securityGroupIds ?? undefined,
        iamInstanceProfile: optional(row.iamInstanceProfile),
      };
      for (const [key, value] of Object.entries(set))
        if (value !== undefined) Object.assign(e, { [key]: value });
      return [row.name, e];
    }),
  );
}

export function toTriggersForm(project: Pick<Project, 'triggers'>): TriggersForm {
  const map = project.triggers.environments ?? {};
  const listed = project.triggers.branches.map((branch) => ({
    branch,
    listed: true,
    environment: map[branch] ?? '',
  }));
  const mappedOnly = Object.entries(map)
    .filter(([branch]) => !project.triggers.branches.includes(branch))
    .map(([branch, environment]) => ({ branch, listed: false, environment }));
  return { branches: [...listed, ...mappedOnly] };
}

export function toTriggers(form: TriggersForm): Project['triggers'] {
  const rows = form.branches.filter((r) => r.branch.trim() !== '');
  const mapped = rows.filter((r) => r.environment !== '');
  return {
    branches: rows.filter((r) => r.listed).map((r) => r.branch),
    ...(mapped.length > 0
      ? { environments: Object.fromEntries(mapped.map((r) => [r.branch, r.environment])) }
      : {}),
  };
}

/** The branches whose pushes bake environment `name`. */
export function branchesMappedTo(rows: readonly BranchRow[], name: string): string[] {
  return rows.filter((r) => r.environment === name && r.branch !== '').map((r) => r.branch);
}

/** A renamed environment takes its branches along: a push to them keeps baking the same settings. */
export function mappingsAfterRename(rows: readonly BranchRow[], from: string, to: string): BranchRow[] {
  return rows.map((r) => (r.environment === from ? { ...r, environment: to } : r));
}

export type VariableSource = 'project' | 'overrides' | 'adds';

/** What a bake of this environment exports: the project's variables with the environment's on top. */
export function effectiveEnv(
  project: readonly EnvRow[],
  overrides: readonly EnvRow[],
): { name: string; value: EnvValue; source: VariableSource }[] {
  const base = envRecord(project);
  const own = envRecord(overrides);
  const rows: { name: string; value: EnvValue; source: VariableSource }[] = Object.entries(base).map(
    ([name, value]) =>
      name in own ? { name, value: own[name]!, source: 'overrides' } : { name, value, source: 'project' },
  );
  for (const [name, value] of Object.entries(own))
    if (!(name in base)) rows.push({ name, value, source: 'adds' });
  return rows;
}
