import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BakeEvent, BakeRecord } from '../../../../src/shared/bake';
import type { BakeDetails } from '../../../../src/shared/ipc/bake.contract';
import type * as BakesStore from '../../../../src/renderer/src/state/bakes-store';
import { record } from './fixtures';

/**
 * The renderer's bake state against a stand-in for window.quadraxis: snapshots that answer when the test
 * says, and an event stream the test drives — the reload-mid-bake situation, deterministically.
 */
type Listener = (event: BakeEvent) => void;
type ChangedListener = (payload: { record: BakeRecord }) => void;
const listeners: Listener[] = [];
const changedListeners: ChangedListener[] = [];
let answerGet: (details: BakeDetails) => void = () => undefined;
let answerList: (records: BakeRecord[]) => void = () => undefined;
/** The saved console log of a bake another process runs, as `bake:console` reads it. */
let savedLog: string[] = [];
const consoleReads: { fromLine: number }[] = [];
let gets = 0;
const fakeApi = {
  bake: {
    onEvent: (listener: Listener) => {
      listeners.push(listener);
      return () => undefined;
    },
    onChanged: (listener: ChangedListener) => {
      changedListeners.push(listener);
      return () => undefined;
    },
    get: () => {
      gets++;
      return new Promise((resolve) => (answerGet = (value) => resolve({ ok: true, value })));
    },
    list: () => new Promise((resolve) => (answerList = (value) => resolve({ ok: true, value }))),
    console: ({ fromLine, limit }: { fromLine: number; limit: number }) => {
      consoleReads.push({ fromLine });
      const lines = savedLog.slice(fromLine, fromLine + limit);
      return Promise.resolve({ ok: true, value: { lines, total: savedLog.length } });
    },
  },
};
const emit = (event: BakeEvent) => listeners.forEach((listener) => listener(event));
const changed = (r: BakeRecord) => changedListeners.forEach((listener) => listener({ record: r }));

type BakesStoreModule = typeof BakesStore;
let store: BakesStoreModule;
beforeAll(async () => {
  vi.stubGlobal('window', { quadraxis: fakeApi });
  vi.stubGlobal('document', { visibilityState: 'hidden' });
  store = await import('../../../../src/renderer/src/state/bakes-store');
});
afterAll(() => {
  vi.unstubAllGlobals();
});

const ID = 'bk_00000000000000000001';
const consoleEvent = (seq: number, ...lines: string[]): BakeEvent => ({
  type: 'console',
  bakeId: ID,
  seq,
  at: seq,
  lines,
});

describe('bakes store', () => {
  it('applies events that arrive while a snapshot loads after it, each exactly once', async () => {
    const opened = store.openBake(ID);
    // Main's snapshot is at seq 5; these raced it, one already in it and two after it.
    emit(consoleEvent(5, 'in the snapshot'));
    emit(consoleEvent(6, 'after it'));
    emit({ type: 'step', bakeId: ID, seq: 7, at: 7, step: 'launch', status: 'running' });
    answerGet({
      record: record({ id: ID, seq: 5 }),
      consoleTail: ['boot', 'in the snapshot'],
      consoleLines: 2,
    });
    await opened;

    const lines = store.consoleOf(ID)!;
    expect(Array.from({ length: lines.length }, (_, i) => lines.line(i))).toEqual([
      'boot',
      'in the snapshot',
      'after it',
    ]);
    const shown = store.useBakesStore.getState().records[ID]!;
    expect(shown.seq).toBe(7);
    expect(shown.steps.find((s) => s.step === 'launch')?.status).toBe('running');

    // A repeat (a second delivery of a queued event) changes nothing; the next one applies.
    emit(consoleEvent(6, 'after it'));
    emit(consoleEvent(8, 'next'));
    expect(lines.length).toBe(4);
    expect(lines.line(3)).toBe('next');

    emit({ type: 'status', bakeId: ID, seq: 9, at: 9, status: 'cleaning-up' });
    expect(store.useBakesStore.getState().records[ID]?.status).toBe('cleaning-up');
    store.closeBake(ID);
    expect(store.consoleOf(ID)).toBeUndefined();
  });

  it('starts a bake over from a snapshot when an event is missing', async () => {
    const opened = store.openBake(ID);
    answerGet({ record: record({ id: ID, seq: 20 }), consoleTail: ['a'], consoleLines: 1 });
    await opened;
    emit(consoleEvent(22, 'after a gap'));
    // Seq 21 never came: the page asks main again instead of showing a console with a hole in it.
    emit(consoleEvent(23, 'during the resync'));
    answerGet({
      record: record({ id: ID, seq: 22 }),
      consoleTail: ['a', 'missed', 'after a gap'],
      consoleLines: 3,
    });
    await vi.waitFor(() => expect(store.consoleOf(ID)?.length).toBe(4));
    const lines = store.consoleOf(ID)!;
    expect([0, 1, 2, 3].map((i) => lines.line(i))).toEqual([
      'a',
      'missed',
      'after a gap',
      'during the resync',
    ]);
    store.closeBake(ID);
  });

  it('fetches the version’s tags once an open bake has recorded it', async () => {
    const baked = 'bk_00000000000000000005';
    const opened = store.openBake(baked);
    answerGet({ record: record({ id: baked, seq: 3 }), consoleTail: [], consoleLines: 0 });
    await opened;
    const done = record({ id: baked, seq: 4, status: 'succeeded', version: 2 });
    emit({ type: 'finished', bakeId: baked, seq: 4, at: 4, record: done });
    const version = {
      version: 2,
      imageName: 'web-2',
      tags: { team: 'platform' },
      instanceType: 't3.micro',
      baseImageId: 'ami-0123456789abcdef0',
      durationMs: 1000,
    };
    answerGet({ record: done, consoleTail: [], consoleLines: 0, version });
    await vi.waitFor(() => expect(store.useBakesStore.getState().versions[baked]).toEqual(version));
    store.closeBake(baked);
  });

  it('keeps the list current: new bakes that match the filter appear, and events move the rows on', async () => {
    const listed = 'bk_00000000000000000004';
    const other = 'bk_00000000000000000002';
    const loaded = store.loadBakeList({ project: 'web' });
    answerList([record({ id: listed, seq: 9, status: 'running' })]);
    await loaded;
    expect(store.useBakesStore.getState().list.ids).toEqual([listed]);

    emit({
      type: 'created',
      bakeId: other,
      seq: 0,
      at: 0,
      record: record({ id: other, seq: 0, status: 'queued' }),
    });
    const elsewhere = 'bk_00000000000000000003';
    emit({
      type: 'created',
      bakeId: elsewhere,
      seq: 0,
      at: 0,
      record: record({ id: elsewhere, project: 'api', seq: 0, status: 'queued' }),
    });
    expect(store.useBakesStore.getState().list.ids).toEqual([other, listed]);

    emit({
      type: 'finished',
      bakeId: listed,
      seq: 10,
      at: 10,
      record: record({ id: listed, seq: 10, status: 'succeeded' }),
    });
    const rows = store.useBakesStore
      .getState()
      .list.ids.map((id) => store.useBakesStore.getState().records[id]!)
      .sort(store.bakeOrder);
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      [other, 'queued'],
      [listed, 'succeeded'],
    ]);
  });

  it('lists a bake run elsewhere as its records arrive, and moves its row on without repeats', async () => {
    const mine = 'bk_00000000000000000010';
    const cli = 'bk_00000000000000000011';
    const loaded = store.loadBakeList({});
    answerList([record({ id: mine, seq: 3, status: 'running' })]);
    await loaded;

    changed(record({ id: cli, seq: 0, status: 'queued', trigger: 'cli' }));
    expect(store.useBakesStore.getState().list.ids).toEqual([cli, mine]);
    changed(record({ id: cli, seq: 5, status: 'running', trigger: 'cli' }));
    // An older record (it raced a newer one) never moves a row back.
    changed(record({ id: cli, seq: 4, status: 'queued', trigger: 'cli' }));
    expect(store.useBakesStore.getState().records[cli]).toMatchObject({ seq: 5, status: 'running' });
    changed(record({ id: cli, seq: 9, status: 'succeeded', trigger: 'cli' }));
    expect(store.useBakesStore.getState().list.ids).toEqual([cli, mine]);
    expect(store.useBakesStore.getState().records[cli]?.status).toBe('succeeded');
  });

  it('shows a bake whose process died as interrupted without a new seq, and follows recovery after', () => {
    const cli = 'bk_00000000000000000014';
    changed(record({ id: cli, seq: 5, status: 'running', trigger: 'cli' }));
    // Main saw its process gone: the same seq, listed as interrupted.
    const view = record({
      id: cli,
      seq: 5,
      status: 'interrupted',
      trigger: 'cli',
      message: 'quadraxis CLI (pid 42 on host) is gone: it stopped before the bake finished.',
      orphaned: { was: 'running', reason: 'dead-process' },
    });
    changed(view);
    expect(store.useBakesStore.getState().records[cli]).toMatchObject({
      status: 'interrupted',
      orphaned: {},
    });
    // Repeats change nothing; recovery resuming it moves it on from what the journal said.
    changed(view);
    changed(record({ id: cli, seq: 6, status: 'running', trigger: 'cli' }));
    expect(store.useBakesStore.getState().records[cli]).toMatchObject({ status: 'running', seq: 6 });
    expect(store.useBakesStore.getState().records[cli]).not.toHaveProperty('orphaned');
  });

  it('reads the new console lines of an open bake run elsewhere from the saved log, each once', async () => {
    const cli = 'bk_00000000000000000012';
    savedLog = ['one', 'two'];
    const opened = store.openBake(cli);
    answerGet({ record: record({ id: cli, seq: 4 }), consoleTail: ['one', 'two'], consoleLines: 2 });
    await opened;
    const lines = store.consoleOf(cli)!;

    savedLog = ['one', 'two', 'three', 'four'];
    changed(record({ id: cli, seq: 6 }));
    await vi.waitFor(() => expect(lines.length).toBe(4));
    savedLog = [...savedLog, 'five'];
    changed(record({ id: cli, seq: 7, status: 'succeeded' }));
    await vi.waitFor(() => expect(lines.length).toBe(5));
    expect([0, 1, 2, 3, 4].map((i) => lines.line(i))).toEqual(['one', 'two', 'three', 'four', 'five']);
    // Each read starts on the last line held, to notice a log that was cut meanwhile.
    expect(consoleReads.slice(-2)).toEqual([{ fromLine: 1 }, { fromLine: 3 }]);
    store.closeBake(cli);
  });

  it('starts over from a snapshot when the saved log was cut, even to as many lines as were held', async () => {
    const cli = 'bk_00000000000000000013';
    savedLog = ['one', 'two', 'three'];
    const opened = store.openBake(cli);
    answerGet({ record: record({ id: cli, seq: 4 }), consoleTail: savedLog, consoleLines: 3 });
    await opened;
    const lines = store.consoleOf(cli)!;

    // Past its cap the log kept only its newest part: line numbers moved, the count did not shrink.
    savedLog = ['seven', 'eight', 'nine', 'ten'];
    const getsBefore = gets;
    changed(record({ id: cli, seq: 9 }));
    await vi.waitFor(() => expect(gets).toBe(getsBefore + 1));
    expect(consoleReads.at(-1)).toEqual({ fromLine: 2 });
    answerGet({ record: record({ id: cli, seq: 9 }), consoleTail: savedLog, consoleLines: 4 });
    await vi.waitFor(() => expect(lines.line(lines.length - 1)).toBe('ten'));
    expect([...Array(lines.length).keys()].map((i) => lines.line(i))).toEqual(savedLog);
    store.closeBake(cli);
  });
});
