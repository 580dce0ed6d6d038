import { z } from 'zod';

/** Something the user must be told about once: a corrupt file set aside, a recovered bake, a blocked link. */
export const NoticeSchema = z.object({
  id: z.string(),
  level: z.enum(['info', 'warning', 'error']),
  title: z.string(),
  message: z.string(),
  at: z.number(),
});
export type Notice = z.infer<typeof NoticeSchema>;
