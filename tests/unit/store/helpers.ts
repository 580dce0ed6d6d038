import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../../src/main/services/clock';
import { createStore } from '../../../src/main/services/store';
import type { Store, StoreOptions } from '../../../src/main/services/store';
import type { BakeEvent } from '../../../src/shared/bake';
import type { ProjectInput } from '../../../src/shared/project';
import { bakeRecord, T0 } from '../../helpers/bake-record';

export interface TestStore {
  dir: string;
  store: Store;
  clock: VirtualClock;
  warnings: string[];
  /** A second store on the same directory: another process's view, as far as files go. */
  reopen(opts?: Partial<StoreOptions>): Store;
  cleanup(): Promise<void>;
}

export async function tempStore(opts: Partial<StoreOptions> = {}): Promise<TestStore> {
  const dir = await mkdtemp(join(tmpdir(), 'qx-store-'));
  const clock = new VirtualClock(T0);
  const warnings: string[] = [];
  const opened: Store[] = [];
  const open = (more: Partial<StoreOptions> = {}) => {
    const store = createStore({
      dataDir: dir,
      clock,
      logger: { warn: (m) => warnings.push(m) },
      ...opts,
      ...more,
    });
    opened.push(store);
    return store;
  };
  const store = open();
  return {
    dir,
    store,
    clock,
    warnings,
    reopen: open,
    cleanup: async () => {
      // record.json checkpoints are written behind appends: let them land before the directory goes.
      await Promise.all(opened.map((s) => s.bakes.flush()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function projectInput(name = 'web', more: Partial<ProjectInput> = {}): ProjectInput {
  return {
    name,
    baseImage: { kind: 'id', imageId: 'ami-0123456789abcdef0' },
    initScript: '#!/bin/sh\necho hello\n',
    ...more,
  };
}

/** Events of a bake, numbered from `firstSeq`. */
export function events(
  bakeId: string,
  firstSeq: number,
  ...bodies: DistributiveOmit<BakeEvent, 'bakeId' | 'seq' | 'at'>[]
): BakeEvent[] {
  return bodies.map((body, i) => ({
    ...body,
    bakeId,
    seq: firstSeq + i,
    at: T0 + (firstSeq + i) * 1000,
  }));
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export function created(id: string, project = 'web'): Extract<BakeEvent, { type: 'created' }> {
  return {
    type: 'created',
    bakeId: id,
    seq: 0,
    at: T0,
    record: bakeRecord(id, project),
  };
}
