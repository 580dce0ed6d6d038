import { z } from 'zod';
import { ProjectNameSchema } from '../project';

/** What the editor had on screen; free-form, since a draft need not be a valid project yet. */
export const DraftSchema = z.object({
  project: ProjectNameSchema,
  /** The project revision the edits started from: when the saved project moved on, the UI says so. */
  baseRevision: z.string().optional(),
  content: z.json(),
  savedAt: z.number(),
});
export type Draft = z.infer<typeof DraftSchema>;

export const draftsInvoke = {
  'drafts:get': { request: ProjectNameSchema, response: DraftSchema.nullable() },
  'drafts:save': {
    request: z.object({
      project: ProjectNameSchema,
      baseRevision: z.string().max(128).optional(),
      content: z.json(),
    }),
    response: z.object({ savedAt: z.number() }),
  },
  'drafts:clear': { request: ProjectNameSchema, response: z.null() },
} as const;
