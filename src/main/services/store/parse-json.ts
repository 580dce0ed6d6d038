import type { z } from 'zod';

/** The value if `text` is JSON the schema accepts; undefined for anything else (a torn write, a foreign file). */
export function parseJsonAs<T>(schema: z.ZodType<T>, text: string): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
