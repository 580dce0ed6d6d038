import { z } from 'zod';
import {
  ProjectSchema,
  type Env,
  type EnvValue,
  type Project,
  type ProjectInput,
} from '../../../../shared/project';
import {
  DistributionFormSchema,
  RetentionFormSchema,
  toDistribution,
  toDistributionForm,
  toRetention,
  toRetentionForm,
} from './delivery-form-model';

/**
 * The project form's values: the project as a person edits it. Empty inputs are '' (not undefined, which
 * react-hook-form treats as "unregistered"), and env and tags are rows so they can be added, renamed and
 * reordered. Every rule comes from the shared ProjectSchema — its own field schemas and messages — so the
 * form and the store can never disagree about what is valid.
 */
const shape = ProjectSchema.shape;

/** '' means "not set"; anything else must pass the shared field schema, with its own message. */
function blankOr(schema: z.ZodType<unknown>) {
  return z.string().superRefine((value, ctx) => {
    if (value.trim() === '') return;
    const result = schema.safeParse(value);
    if (!result.success)
      for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
  });
}

function uniqueBy<T>(key: (row: T) => string, field: string, what: string) {
  return (rows: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    rows.forEach((row, index) => {
      const name = key(row);
      if (name !== '' && seen.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [index, field],
          message: `${what} ${name} is already set above.`,
        });
      }
      seen.add(name);
    });
  };
}

const envShape = shape.env.unwrap();
const tagRecord = shape.tags.unwrap();

export const EnvRowSchema = z.object({ name: envShape.keyType, value: envShape.valueType });
export const TagRowSchema = z.object({ key: tagRecord.keyType, value: tagRecord.valueType });

const SizeSchema = shape.rootVolume.unwrap().shape.sizeGiB.unwrap();

export const ProjectFormSchema = z.object({
  schemaVersion: shape.schemaVersion.unwrap(),
  name: shape.name,
  description: shape.description.unwrap(),
  region: blankOr(shape.region.unwrap()),
  baseImage: shape.baseImage,
  instanceType: shape.instanceType.unwrap(),
  subnetId: blankOr(shape.subnetId.unwrap()),
  securityGroupIds: shape.securityGroupIds.unwrap(),
  iamInstanceProfile: blankOr(shape.iamInstanceProfile.unwrap()),
  keyName: blankOr(shape.keyName.unwrap()),
  rootVolume: z.object({
    // NumberInput reports '' when emptied (the image's own size) and a string while a number is half typed.
    sizeGiB: z.union([z.string(), z.number()]).superRefine((value, ctx) => {
      if (value !== '' && !SizeSchema.safeParse(value).success) {
        ctx.addIssue({ code: 'custom', message: 'A size is a whole number of GiB, 1 to 16384.' });
      }
    }),
    type: shape.rootVolume.unwrap().shape.type.unwrap(),
  }),
  initScript: shape.initScript,
  env: z.array(EnvRowSchema).superRefine(uniqueBy((r) => r.name, 'name', 'Variable')),
  imageName: shape.imageName.unwrap(),
  imageDescription: blankOr(shape.imageDescription.unwrap()),
  tags: z.array(TagRowSchema).superRefine(uniqueBy((r) => r.key, 'key', 'Tag')),
  completion: shape.completion.unwrap(),
  triggers: shape.triggers.unwrap(),
  // Not edited by the form (the project file holds it), but carried through a save untouched.
  deploy: shape.deploy,
  distribution: DistributionFormSchema,
  retention: RetentionFormSchema,
  /** Named environments travel through the form untouched (edited in the project file), never dropped. */
  environments: shape.environments,
});

export type ProjectFormValues = z.input<typeof ProjectFormSchema>;

export function toFormValues(project: Project): ProjectFormValues {
  return {
    schemaVersion: project.schemaVersion,
    name: project.name,
    description: project.description,
    region: project.region ?? '',
    baseImage: project.baseImage,
    instanceType: project.instanceType,
    subnetId: project.subnetId ?? '',
    securityGroupIds: project.securityGroupIds,
    iamInstanceProfile: project.iamInstanceProfile ?? '',
    keyName: project.keyName ?? '',
    rootVolume: { sizeGiB: project.rootVolume.sizeGiB ?? '', type: project.rootVolume.type },
    initScript: project.initScript,
    env: Object.entries(project.env).map(([name, value]) => ({ name, value })),
    imageName: project.imageName,
    imageDescription: project.imageDescription ?? '',
    tags: Object.entries(project.tags).map(([key, value]) => ({ key, value })),
    completion: project.completion,
    triggers: project.triggers,
    ...(project.deploy ? { deploy: project.deploy } : {}),
    distribution: toDistributionForm(project.distribution),
    retention: toRetentionForm(project.retention),
    ...(project.environments ? { environments: project.environments } : {}),
  };
}

/** Env rows as the project's record; rows still without a name are being typed, not settings. */
export function envRecord(rows: readonly { name: string; value: EnvValue }[]): Env {
  return Object.fromEntries(rows.filter((r) => r.name !== '').map((r) => [r.name, r.value]));
}

const optional = (value: string) => (value.trim() === '' ? undefined : value.trim());

/** Back to a project, as the store takes it. */
export function toProjectInput(values: ProjectFormValues): ProjectInput {
  const input: ProjectInput = {
    schemaVersion: values.schemaVersion,
    name: values.name,
    description: values.description,
    region: optional(values.region),
    baseImage: values.baseImage,
    instanceType: values.instanceType,
    subnetId: optional(values.subnetId),
    securityGroupIds: values.securityGroupIds,
    iamInstanceProfile: optional(values.iamInstanceProfile),
    keyName: optional(values.keyName),
    rootVolume: {
      type: values.rootVolume.type,
      ...(values.rootVolume.sizeGiB === '' ? {} : { sizeGiB: Number(values.rootVolume.sizeGiB) }),
    },
    initScript: values.initScript,
    env: envRecord(values.env),
    imageName: values.imageName,
    imageDescription: optional(values.imageDescription),
    tags: Object.fromEntries(values.tags.filter((r) => r.key !== '').map((r) => [r.key, r.value])),
    completion: values.completion,
    triggers: values.triggers,
    deploy: values.deploy,
    distribution: toDistribution(values.distribution),
    retention: toRetention(values.retention),
    environments: values.environments,
  };
  for (const key of Object.keys(input) as (keyof ProjectInput)[])
    if (input[key] === undefined) delete input[key];
  return input;
}

/** A draft's content: what was on screen, checked loosely since an old draft may predate a field. */
export function formValuesFromDraft(
  content: unknown,
  fallback: ProjectFormValues,
): ProjectFormValues | undefined {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) return undefined;
  // A draft from before a section existed takes that section from the saved project.
  const merged = { ...fallback, ...(content as Partial<ProjectFormValues>), name: fallback.name };
  if (typeof merged.distribution !== 'object' || merged.distribution === null)
    merged.distribution = fallback.distribution;
  if (typeof merged.retention !== 'object' || merged.retention === null)
    merged.retention = fallback.retention;
  return typeof merged.initScript === 'string' && Array.isArray(merged.env) ? merged : undefined;
}

/** Which tab holds each field, so a tab can say it has errors. */
export const FIELD_TABS: Record<keyof ProjectFormValues, 'script' | 'launch' | 'delivery'> = {
  schemaVersion: 'launch',
  name: 'launch',
  description: 'launch',
  region: 'launch',
  baseImage: 'launch',
  instanceType: 'launch',
  subnetId: 'launch',
  securityGroupIds: 'launch',
  iamInstanceProfile: 'launch',
  keyName: 'launch',
  rootVolume: 'launch',
  initScript: 'script',
  env: 'script',
  imageName: 'launch',
  imageDescription: 'launch',
  tags: 'launch',
  completion: 'launch',
  triggers: 'launch',
  deploy: 'launch',
  distribution: 'delivery',
  retention: 'delivery',
  environments: 'script',
};
