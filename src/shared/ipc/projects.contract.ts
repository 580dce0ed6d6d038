import { z } from 'zod';
import { BakeIdSchema, BakeStatusSchema } from '../bake';
import { BaseImageSchema, CompletionSchema, ProjectNameSchema, ProjectSchema } from '../project';
import { NoInput } from './common';

export const ProjectEntrySchema = z.object({
  project: ProjectSchema,
  /** Pass back when saving, renaming or deleting: a stale revision gets CONFLICT instead of overwriting. */
  revision: z.string(),
  /** Relative to the data directory, e.g. projects/web.yaml. */
  file: z.string(),
});
export type ProjectEntry = z.infer<typeof ProjectEntrySchema>;

export const LastBakeSchema = z.object({
  id: BakeIdSchema,
  status: BakeStatusSchema,
  imageId: z.string().optional(),
  version: z.number().int().optional(),
  simulated: z.boolean(),
  profile: z.string(),
  region: z.string(),
  /** When it ended, or was created when still going. */
  at: z.number(),
});
export type LastBake = z.infer<typeof LastBakeSchema>;

/** A row of the projects list: enough to find and recognise a project, plus how its last bake went. */
export const ProjectSummarySchema = z.object({
  name: ProjectNameSchema,
  description: z.string(),
  region: z.string().optional(),
  baseImage: BaseImageSchema,
  instanceType: z.string(),
  revision: z.string(),
  lastBake: LastBakeSchema.optional(),
});
export type ProjectSummary = z.infer<typeof ProjectSummarySchema>;

export const ImportIssueSchema = z.object({
  line: z.number().int(),
  column: z.number().int(),
  path: z.string(),
  message: z.string(),
});
export type ImportIssue = z.infer<typeof ImportIssueSchema>;

/** How big the user data for this script will be, measured with the engine's own wrapper and gzip. */
export const ScriptMeasureSchema = z.object({
  rawBytes: z.number().int(),
  gzipBytes: z.number().int(),
  limitBytes: z.number().int(),
  /** Why the engine would refuse the script whatever its size (then the sizes are of the bare script). */
  refused: z.string().optional(),
});
export type ScriptMeasure = z.infer<typeof ScriptMeasureSchema>;

const RevisionSchema = z.string().min(1).max(128);
/** Twice the store's 2 MB file limit in UTF-16 units is never reached by a valid file; the store checks bytes. */
const MAX_IMPORT_CHARS = 2 * 1024 * 1024;

export const projectsInvoke = {
  /** Every project, by name, with its last bake. */
  'projects:list': { request: NoInput, response: z.array(ProjectSummarySchema) },
  'projects:get': { request: ProjectNameSchema, response: ProjectEntrySchema },
  'projects:create': { request: z.object({ project: ProjectSchema }), response: ProjectEntrySchema },
  /** CONFLICT (details.project) when the file changed since `revision`; `overwrite` saves over it anyway. */
  'projects:save': {
    request: z.object({
      project: ProjectSchema,
      revision: RevisionSchema,
      overwrite: z.boolean().default(false),
    }),
    response: ProjectEntrySchema,
  },
  'projects:rename': {
    request: z.object({
      from: ProjectNameSchema,
      to: ProjectNameSchema,
      revision: RevisionSchema.optional(),
    }),
    response: ProjectEntrySchema,
  },
  /** A copy of the saved project under a new name; versions and bakes stay with the original. */
  'projects:duplicate': {
    request: z.object({ name: ProjectNameSchema, newName: ProjectNameSchema }),
    response: ProjectEntrySchema,
  },
  /** Versions are kept unless `deleteVersions`; bake records always are. */
  'projects:delete': {
    request: z.object({
      name: ProjectNameSchema,
      revision: RevisionSchema.optional(),
      deleteVersions: z.boolean().default(false),
    }),
    response: z.null(),
  },
  /**
   * A YAML or JSON project file the renderer read. Invalid files answer their issues by line; an existing
   * name answers CONFLICT unless `replace`.
   */
  'projects:import': {
    request: z.object({
      fileName: z.string().min(1).max(255),
      text: z.string().max(MAX_IMPORT_CHARS, 'The file is over 2 MB; a project file is much smaller.'),
      replace: z.boolean().default(false),
    }),
    response: z.discriminatedUnion('status', [
      z.object({ status: z.literal('imported'), entry: ProjectEntrySchema, replaced: z.boolean() }),
      z.object({ status: z.literal('invalid'), issues: z.array(ImportIssueSchema) }),
    ]),
  },
  'projects:export': {
    request: ProjectNameSchema,
    response: z.object({ fileName: z.string(), text: z.string() }),
  },
  'projects:measure-script': {
    request: z.object({
      initScript: ProjectSchema.shape.initScript,
      env: ProjectSchema.shape.env,
      completion: CompletionSchema,
    }),
    response: ScriptMeasureSchema,
  },
} as const;

export const ProjectsChangedSchema = z.object({
  name: ProjectNameSchema,
  reason: z.enum(['created', 'saved', 'renamed', 'deleted', 'bake']),
  /** The new name, for `renamed`. */
  to: ProjectNameSchema.optional(),
});
export type ProjectsChanged = z.infer<typeof ProjectsChangedSchema>;

export const projectsEvents = {
  /** A project or its last bake changed (in this window, another, or a bake); lists refresh. */
  'projects:changed': ProjectsChangedSchema,
} as const;
