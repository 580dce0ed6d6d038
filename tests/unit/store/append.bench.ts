// Run by hand: npx vitest bench --run --project unit tests/unit/store/append.bench.ts
// What one appendEvents costs: the journal is the only fsync on the append path now; "previous design"
// replays what every append did before (journal fsync + atomic record.json rewrite with fsync + dir fsync).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import { systemClock } from '../../../src/main/services/clock';
import { createStore, newBakeId, writeAtomic } from '../../../src/main/services/store';
import type { Store } from '../../../src/main/services/store';
import { appendJournal } from '../../../src/main/services/store/journal';
import type { BakeEvent, BakeRecord } from '../../../src/shared/bake';
import { bakeRecord } from '../../helpers/bake-record';

const quiet = { warn: () => undefined };
const CONCURRENT = 20;
const options = { iterations: 100, time: 0, warmupIterations: 5 };

let dir: string;
let store: Store;
let other: Store;
let ids: string[];
const seqs = new Map<string, number>();
const event = (id: string, body: Record<string, unknown>) => {
  const seq = (seqs.get(id) ?? 0) + 1;
  seqs.set(id, seq);
  return { ...body, bakeId: id, seq, at: seq } as BakeEvent;
};
const step = (id: string) => event(id, { type: 'step', step: 'run-script', status: 'running' });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qx-append-bench-'));
  store = createStore({ dataDir: dir, clock: systemClock, logger: quiet });
  other = createStore({ dataDir: dir, clock: systemClock, logger: quiet });
  ids = Array.from({ length: CONCURRENT }, () => newBakeId(systemClock));
  for (const id of ids) {
    await store.bakes.appendEvents(id, [
      { type: 'created', bakeId: id, seq: 0, at: 0, record: bakeRecord(id) },
    ]);
  }
});
afterAll(async () => {
  await store.bakes.flush();
  await rm(dir, { recursive: true, force: true });
});

async function previousDesign(id: string): Promise<void> {
  const event = step(id);
  await appendJournal(join(dir, 'bakes', id, 'events.jsonl'), [event]);
  const record: BakeRecord = { ...bakeRecord(id), seq: event.seq };
  await writeAtomic(join(dir, 'bakes', id, 'record.json'), `${JSON.stringify(record, null, 2)}\n`);
}

describe('one bake', () => {
  bench(
    'appendEvents: a step event',
    async () => {
      await store.bakes.appendEvents(ids[0]!, [step(ids[0]!)]);
    },
    options,
  );
  bench(
    'appendEvents: a console batch',
    async () => {
      await store.bakes.appendEvents(ids[0]!, [event(ids[0]!, { type: 'console', lines: ['hello'] })]);
    },
    options,
  );
  bench(
    'previous design: a step event',
    async () => {
      // Another bake: its record.json is written the old way, outside the store.
      await previousDesign(ids[1]!);
    },
    options,
  );
  bench(
    'get() from another store while it runs',
    async () => {
      await other.bakes.get(ids[0]!);
    },
    options,
  );
});

describe(`${CONCURRENT} bakes appending at once (time for one round = one append each)`, () => {
  bench(
    'appendEvents: a step event each',
    async () => {
      await Promise.all(ids.map((id) => store.bakes.appendEvents(id, [step(id)])));
    },
    options,
  );
  bench(
    'previous design: a step event each',
    async () => {
      await Promise.all(ids.map((id) => previousDesign(id)));
    },
    options,
  );
});
