import { zodResolver } from '@hookform/resolvers/zod';
import { get, set, type FieldErrors, type Resolver } from 'react-hook-form';
import { z } from 'zod';
import { ProjectSchema, type Project, type ProjectInput } from '../../../../shared/project';
import {
  EnvRowSchema,
  EnvRowsSchema,
  EnvironmentRowsSchema,
  TriggersFormSchema,
  blankOr,
  checkMappings,
  envRecord,
  envRows,
  toEnvironmentRows,
  toEnvironments,
  toTriggers,
  toTriggersForm,
  uniqueBy,
} from './environments-form-model';
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

const tagRecord = shape.tags.unwrap();

export { EnvRowSchema, envRecord };
export const TagRowSchema = z.object({ key: tagRecord.keyType, value: tagRecord.valueType });

const SizeSchema = shape.rootVolume.unwrap().shape.sizeGiB.unwrap();

export const ProjectFormSchema = z
  .object({
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
    env: EnvRowsSchema,
    imageName: shape.imageName.unwrap(),
    imageDescription: blankOr(shape.imageDescription.unwrap()),
    tags: z.array(TagRowSchema).superRefine(uniqueBy((r) => r.key, 'key', 'Tag')),
    completion: shape.completion.unwrap(),
    /** The branches the webhook knows, each with the environment its pushes bake. */
    triggers: TriggersFormSchema,
    // Not edited by the form (the project file holds it), but carried through a save untouched.
    deploy: shape.deploy,
    distribution: DistributionFormSchema,
    retention: RetentionFormSchema,
    /** Named environments (dev, staging, prod), edited in their own tab. */
    environments: EnvironmentRowsSchema,
  })
  .superRefine(checkMappings);

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
    env: envRows(project.env),
    imageName: project.imageName,
    imageDescription: project.imageDescription ?? '',
    tags: Object.entries(project.tags).map(([key, value]) => ({ key, value })),
    completion: project.completion,
    triggers: toTriggersForm(project),
    ...(project.deploy ? { deploy: project.deploy } : {}),
    distribution: toDistributionForm(project.distribution),
    retention: toRetentionForm(project.retention),
    environments: toEnvironmentRows(project.environments),
  };
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
    triggers: toTriggers(values.triggers),
    deploy: values.deploy,
    distribution: toDistribution(values.distribution),
    retention: toRetention(values.retention),
    environments: toEnvironments(values.environments),
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
  // Before environments were edited here, a draft held them (and the triggers) in the project's own shape.
  if (!Array.isArray(merged.environments)) merged.environments = fallback.environments;
  const branches: unknown = (merged.triggers as { branches?: unknown } | undefined)?.branches;
  if (!Array.isArray(branches) || branches.some((row) => typeof row !== 'object' || row === null))
    merged.triggers = fallback.triggers;
  return typeof merged.initScript === 'string' && Array.isArray(merged.env) ? merged : undefined;
}

/** Which tab holds each field, so a tab can say it has errors. */
export const FIELD_TABS: Record<
  keyof ProjectFormValues,
  'script' | 'launch' | 'delivery' | 'environments' | 'triggers'
> = {
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
  triggers: 'triggers',
  deploy: 'launch',
  distribution: 'delivery',
  retention: 'delivery',
  environments: 'environments',
};

const indexOf = <T>(rows: readonly T[] | undefined, match: (row: T) => boolean) =>
  (rows ?? []).findIndex(match);

/**
 * Where in the form an issue the shared ProjectSchema raises belongs: the project's records
 * (`environments.prod.env.DB_PASSWORD`, `triggers.environments.release`, `tags.team`) are rows here, so the
 * key becomes that row's index. A path the form has no input for stays as it is (its tab still says so).
 */
export function formPathOf(path: readonly PropertyKey[], values: ProjectFormValues): string {
  const [head, key, ...rest] = path.map(String);
  const join = (...parts: (string | number)[]) => parts.join('.');
  const variable = (
    rows: readonly { name: string }[] | undefined,
    name: string | undefined,
    tail: string[],
  ) => {
    const at = indexOf(rows, (r) => r.name === name);
    return at < 0 ? undefined : join(at, 'value', ...tail);
  };
  if (head === 'env' && key !== undefined) {
    const at = variable(values.env, key, rest);
    if (at) return join('env', at);
  }
  if (head === 'tags' && key !== undefined) {
    const at = indexOf(values.tags, (r) => r.key === key);
    if (at >= 0) return join('tags', at, 'value');
  }
  if (head === 'environments' && key !== undefined) {
    const at = indexOf(values.environments, (r) => r.name === key);
    if (at >= 0) {
      const [field, name, ...tail] = rest;
      if (field === undefined) return join('environments', at, 'name');
      if (field === 'env' && name !== undefined) {
        const inner = variable(values.environments[at]!.env, name, tail);
        if (inner) return join('environments', at, 'env', inner);
      }
      return join('environments', at, ...rest);
    }
  }
  if (head === 'triggers' && key === 'environments' && rest[0] !== undefined) {
    const at = indexOf(values.triggers.branches, (r) => r.branch === rest[0]);
    if (at >= 0) return join('triggers', 'branches', at, 'environment');
  }
  if (head === 'triggers' && key === 'branches' && rest[0] !== undefined) {
    const listed = values.triggers.branches.filter((r) => r.listed)[Number(rest[0])];
    const at = listed ? values.triggers.branches.indexOf(listed) : -1;
    if (at >= 0) return join('triggers', 'branches', at, 'branch');
  }
  return path.map(String).join('.');
}

/**
 * The form's own rules first (each input's message as it is typed), then the whole shared ProjectSchema over
 * what a save would send, its issues put on the inputs they are about: the form and the store can never
 * disagree about what is valid, cross-field rules included.
 */
export const projectFormResolver: Resolver<ProjectFormValues> = async (values, context, options) => {
  const own = await zodResolver(ProjectFormSchema)(values, context, options);
  if (Object.keys(own.errors).length > 0) return own;
  const parsed = ProjectSchema.safeParse(toProjectInput(values));
  if (parsed.success) return own;
  const errors: FieldErrors<ProjectFormValues> = {};
  for (const issue of parsed.error.issues) {
    const at = formPathOf(issue.path, values);
    if (get(errors, at) === undefined) set(errors, at, { type: issue.code, message: issue.message });
  }
  return { values: {}, errors };
};
