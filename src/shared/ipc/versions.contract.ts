import { z } from 'zod';
import { VersionSchema } from '../bake';
import { ProjectNameSchema } from '../project';

/** A version without its script: the history table needs the rest, the diff fetches scripts one by one. */
export const VersionSummarySchema = VersionSchema.omit({ initScript: true });
export type VersionSummary = z.infer<typeof VersionSummarySchema>;

export const versionsInvoke = {
  /** Newest first. */
  'versions:list': {
    request: z.object({
      project: ProjectNameSchema,
      limit: z.number().int().min(1).max(500).default(50),
      before: z.number().int().positive().optional(),
    }),
    response: z.array(VersionSummarySchema),
  },
  'versions:get': {
    request: z.object({ project: ProjectNameSchema, version: z.number().int().positive() }),
    response: VersionSchema,
  },
  /** How many versions are kept, for "also delete N versions". */
  'versions:count': { request: ProjectNameSchema, response: z.object({ count: z.number().int() }) },
} as const;
