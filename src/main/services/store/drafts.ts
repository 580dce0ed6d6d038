import { rename, unlink } from 'node:fs/promises';
import { z } from 'zod';
import { ProjectNameSchema } from '../../../shared/project';
import { AppError, describeZodError } from '../../../shared/result';
import { isNotFound, readTextIfExists, writeAtomic } from './atomic';
import type { StoreContext } from './context';
import { parseProjectName } from './names';

/** What the editor had on screen: free-form JSON (a draft need not be a valid project yet). */
export const DraftInputSchema = z.object({
  /** The project revision the draft started from, so the UI can warn when the saved project moved on. */
  baseRevision: z.string().max(128).optional(),
  content: z.json(),
});
export type DraftInput = z.input<typeof DraftInputSchema>;

const DraftSchema = DraftInputSchema.extend({ project: ProjectNameSchema, savedAt: z.number() });
export type Draft = z.infer<typeof DraftSchema>;

const MAX_DRAFT_BYTES = 4 * 1024 * 1024;

/** Unsaved editor state, one small file per project, written atomically so a crash restores the last one. */
export class DraftStore {
  constructor(private readonly ctx: StoreContext) {}

  async save(project: string, draft: DraftInput): Promise<Draft> {
    const name = parseProjectName(project);
    const parsed = DraftInputSchema.safeParse(draft);
    if (!parsed.success) throw new AppError('INVALID_INPUT', `Draft: ${describeZodError(parsed.error)}`);
    const saved: Draft = { ...parsed.data, project: name, savedAt: this.ctx.clock.now() };
    const text = `${JSON.stringify(saved)}\n`;
    if (Buffer.byteLength(text) > MAX_DRAFT_BYTES)
      throw new AppError('INVALID_INPUT', 'The draft is over 4 MB.');
    await writeAtomic(this.ctx.paths.draftFile(name), text);
    return saved;
  }

  async read(project: string): Promise<Draft | undefined> {
    const name = parseProjectName(project);
    const path = this.ctx.paths.draftFile(name);
    const text = await readTextIfExists(path);
    if (text === undefined) return undefined;
    let reason: string;
    try {
      const parsed = DraftSchema.safeParse(JSON.parse(text));
      // The file name is the key: a draft moved by a rename belongs to the new name.
      if (parsed.success) return { ...parsed.data, project: name };
      reason = describeZodError(parsed.error);
    } catch (error) {
      reason = `not JSON (${error instanceof Error ? error.message : String(error)})`;
    }
    await this.ctx.quarantine.move(path, reason, {
      judged: text,
      outcome: 'The unsaved draft could not be restored',
    });
    return undefined;
  }

  async clear(project: string): Promise<void> {
    try {
      await unlink(this.ctx.paths.draftFile(parseProjectName(project)));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async move(from: string, to: string): Promise<void> {
    try {
      await rename(this.ctx.paths.draftFile(from), this.ctx.paths.draftFile(to));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
