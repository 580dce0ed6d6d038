import type { z } from 'zod';
import { SandboxError } from './errors';

/**
 * A JSON-protocol request body checked against its action's schema, refused as those services refuse one:
 * a ValidationException naming the first field at fault.
 */
export function parseJsonInput<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const at = issue?.path.length ? ` at '${issue.path.map(String).join('.')}'` : '';
    throw new SandboxError(
      'ValidationException',
      `1 validation error detected: Value${at} failed to satisfy constraint: ${issue?.message ?? 'invalid request'}`,
    );
  }
  return result.data;
}
