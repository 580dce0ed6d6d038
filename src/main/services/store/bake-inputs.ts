import { z } from 'zod';
import { BakeTriggerSchema } from '../../../shared/bake';
import { ProjectSchema } from '../../../shared/project';
import { AppError, describeZodError } from '../../../shared/result';

/**
 * What a bake was started with, kept in its directory (inputs.json) from the moment it exists: crash
 * recovery resumes from this snapshot, so it does not depend on the project file still existing, still
 * saying the same thing, or ever having been in the store at all (`quadraxis bake --file`).
 */
export const BakeInputsSchema = z.object({
  /** The project as validated when the bake started, with its environment (if any) already applied. */
  project: ProjectSchema,
  /** The named environment applied to `project`; absent: the project's own values. */
  environment: z.string().optional(),
  profile: z.string().min(1),
  /** As requested; the region actually used is the record's. */
  region: z.string().optional(),
  endpoint: z.string().optional(),
  force: z.boolean(),
  trigger: BakeTriggerSchema,
  /**
   * The per-bake nonce the wrapper prints in its markers: a resumed bake must recognise the same builder's
   * "done" line. Not a credential — the builder itself can read it from its user data.
   */
  nonce: z.string().min(16),
  /**
   * The completion protocol version of the wrapper the builder was launched with (src/protocol). Absent
   * in inputs written before it was recorded: those builders ran version 2.
   */
  wrapperVersion: z.number().int().min(1).optional(),
});
export type BakeInputs = z.infer<typeof BakeInputsSchema>;

export function parseBakeInputs(input: unknown): BakeInputs {
  const parsed = BakeInputsSchema.safeParse(input);
  if (!parsed.success) throw new AppError('INVALID_INPUT', `Bake inputs: ${describeZodError(parsed.error)}`);
  return parsed.data;
}
