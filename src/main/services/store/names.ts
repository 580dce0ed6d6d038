import { BakeIdSchema } from '../../../shared/bake';
import { ProjectNameSchema } from '../../../shared/project';
import { AppError, describeZodError } from '../../../shared/result';

/** Names become path segments: anything not matching the schema (like `../x`) never reaches the disk. */
export function parseProjectName(name: string): string {
  const parsed = ProjectNameSchema.safeParse(name);
  if (!parsed.success) throw new AppError('INVALID_INPUT', `Project name: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

export function parseBakeId(bakeId: string): string {
  const parsed = BakeIdSchema.safeParse(bakeId);
  if (!parsed.success) throw new AppError('INVALID_INPUT', `Not a bake id: ${JSON.stringify(bakeId)}.`);
  return parsed.data;
}
