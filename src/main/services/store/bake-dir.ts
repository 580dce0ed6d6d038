import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BakeEvent, BakeRecord } from '../../../shared/bake';
import { applyBakeEvent } from '../../../shared/bake-reducer';
import { AppError } from '../../../shared/result';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, errnoCode, fsyncDir, touchDurable } from './atomic';
import type { BakeInputs } from './bake-inputs';
import type { StoreContext } from './context';
import { appendJournal } from './journal';
import { ownerJson, type BakeOwner } from './owner';

export type CreatedEvent = Extract<BakeEvent, { type: 'created' }>;

export interface NewBakeFiles {
  inputs?: BakeInputs;
  /** This process as the bake's owner: in the directory from the first moment anyone can see it. */
  owner?: BakeOwner;
}

/**
 * A new bake directory appears complete or not at all: journal, record, inputs and owner are assembled
 * under a temporary name and renamed into place. Its index markers are written first, so a bake is never
 * running unindexed — and while only the markers exist, readers find no bake, not an unowned one.
 */
export async function createBakeDir(
  ctx: StoreContext,
  event: CreatedEvent,
  files: NewBakeFiles,
): Promise<BakeRecord> {
  const record = applyBakeEvent(undefined, event);
  if (record.id !== event.bakeId)
    throw new AppError('INVALID_INPUT', `The created record is for bake ${record.id}.`);
  const { paths } = ctx;
  if (await stat(paths.bakeDir(record.id)).catch(() => undefined)) {
    throw new AppError('CONFLICT', `Bake ${record.id} already exists.`);
  }
  await touchDurable(join(paths.activeBakesDir, record.id));
  await touchDurable(join(paths.projectBakesDir(record.project), record.id));
  const temp = join(paths.bakesDir, `.creating-${record.id}-${randomBytes(4).toString('hex')}`);
  await mkdir(temp, { recursive: true, mode: PRIVATE_DIR_MODE });
  try {
    await appendJournal(join(temp, 'events.jsonl'), [event]);
    if (files.inputs) await writeSynced(join(temp, 'inputs.json'), `${JSON.stringify(files.inputs)}\n`);
    // Derivable (record) or about live processes only (owner): no fsync of their own.
    await writeFile(join(temp, 'record.json'), `${JSON.stringify(record, null, 2)}\n`, {
      mode: PRIVATE_FILE_MODE,
    });
    if (files.owner)
      await writeFile(join(temp, 'owner.json'), ownerJson(files.owner), { mode: PRIVATE_FILE_MODE });
    await fsyncDir(temp);
    await rename(temp, paths.bakeDir(record.id));
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (['EEXIST', 'ENOTEMPTY'].includes(errnoCode(error) ?? '')) {
      throw new AppError('CONFLICT', `Bake ${record.id} already exists.`);
    }
    throw error;
  }
  await fsyncDir(paths.bakesDir);
  return record;
}

async function writeSynced(file: string, data: string): Promise<void> {
  const handle = await open(file, 'wx', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
