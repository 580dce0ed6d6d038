import { z } from 'zod';
import { writeAtomic, readTextIfExists } from './atomic';
import type { StoreContext } from './context';
import { parseJsonAs } from './parse-json';

/**
 * A small sidecar per project saying who wrote it last. The project file itself stays exactly the YAML a
 * team keeps in its repository; this only lets a conflict say who changed it, or that someone edited the
 * file by hand (its content no longer matches the revision recorded here).
 */
const ProjectMetaSchema = z.object({
  revision: z.string().optional(),
  actor: z.string(),
  pid: z.number().int(),
  hostname: z.string(),
  at: z.number(),
  deleted: z.boolean().optional(),
  renamedTo: z.string().optional(),
});
type ProjectMeta = z.infer<typeof ProjectMetaSchema>;

export async function writeProjectMeta(
  ctx: StoreContext,
  name: string,
  change: { revision: string } | { deleted: true } | { renamedTo: string },
): Promise<void> {
  const meta: ProjectMeta = { ...ctx.identity, at: ctx.clock.now(), ...change };
  await writeAtomic(ctx.paths.projectMetaFile(name), `${JSON.stringify(meta)}\n`);
}

async function readProjectMeta(ctx: StoreContext, name: string): Promise<ProjectMeta | undefined> {
  const text = await readTextIfExists(ctx.paths.projectMetaFile(name));
  // Advisory only: an unreadable sidecar just makes the message vaguer.
  return text === undefined ? undefined : parseJsonAs(ProjectMetaSchema, text);
}

function describeWriter(meta: ProjectMeta): string {
  return `${meta.actor} (pid ${meta.pid} on ${meta.hostname}) at ${new Date(meta.at).toISOString()}`;
}

/**
 * "changed by quadraxis CLI (pid 4242 on build-01) at …", "edited outside Quadraxis", or undefined when the
 * project is gone and nothing says it ever existed.
 */
export async function whoChanged(
  ctx: StoreContext,
  name: string,
  currentRevision: string | undefined,
): Promise<string | undefined> {
  const meta = await readProjectMeta(ctx, name);
  if (currentRevision === undefined) {
    if (meta?.renamedTo) return `renamed to "${meta.renamedTo}" by ${describeWriter(meta)}`;
    if (meta?.deleted) return `deleted by ${describeWriter(meta)}`;
    return meta ? 'deleted outside Quadraxis' : undefined;
  }
  if (meta && meta.revision === currentRevision) return `changed by ${describeWriter(meta)}`;
  return 'changed outside Quadraxis (the file was edited directly)';
}
