import { create } from 'zustand';
import { isFinalStatus, type BakeEvent, type BakeRecord, type BakeStatus } from '../../../shared/bake';
import { applyBakeEvent } from '../../../shared/bake-reducer';
import {
  CONSOLE_PAGE_MAX,
  type BakeDetails,
  type BakeVersionSummary,
} from '../../../shared/ipc/bake.contract';
import { api, errorMessage, unwrap } from '../api';
import { ConsoleLines } from '../components/bake/console-lines';

export interface BakeListFilter {
  project?: string;
  status?: BakeStatus;
}

interface BakesState {
  records: Record<string, BakeRecord>;
  versions: Record<string, BakeVersionSummary>;
  /** Why a bake page could not load its bake. */
  loadErrors: Record<string, string>;
  list: { ids: string[]; filter: BakeListFilter; loading: boolean; loaded: boolean; error?: string };
}

export const useBakesStore = create<BakesState>(() => ({
  records: {},
  versions: {},
  loadErrors: {},
  list: { ids: [], filter: {}, loading: false, loaded: false },
}));

/**
 * Live bakes in the renderer: snapshots from main (bake:get, bake:list) plus the bake:event stream on top.
 * Every event carries its bake's seq; one at or below what is already applied is a repeat and is dropped,
 * so "snapshot, then events" never loses or doubles anything. While a snapshot is on its way, events wait
 * and are applied after it. Console lines never enter React state: they go to the ConsoleLines of an open
 * bake page, and elsewhere only move the seq on.
 */
const lastSeq = new Map<string, number>();
const consoles = new Map<string, ConsoleLines>();
/** Live updates held back while a snapshot loads: engine events, and records of bakes run elsewhere. */
type Update = { event: BakeEvent } | { changed: BakeRecord };
const waiting: Update[] = [];
let loadsInFlight = 0;
/** Bumped by each `openBake` snapshot, so a console read that raced one knows its lines are already in it. */
const openings = new Map<string, number>();

function applyEvent(event: BakeEvent): void {
  const id = event.bakeId;
  const last = lastSeq.get(id);
  if (event.type === 'created' ? last !== undefined : last === undefined || event.seq <= last) return;
  if (last !== undefined && event.seq > last + 1) {
    // Seqs are consecutive: one is missing (main drops the oldest queued events past its limit), so this
    // bake's state here is incomplete. Start it over from a snapshot, which also covers this event.
    void resync(id);
    return;
  }
  lastSeq.set(id, event.seq);
  if (event.type === 'console') {
    consoles.get(id)?.append(event.lines);
    return;
  }
  const { records, list } = useBakesStore.getState();
  const record = applyBakeEvent(records[id], event);
  const listed = event.type === 'created' && matches(record, list.filter) && !list.ids.includes(id);
  useBakesStore.setState({
    records: { ...records, [id]: record },
    ...(listed ? { list: { ...list, ids: [id, ...list.ids] } } : {}),
  });
  // The recorded version's tags are in no event: an open bake page fetches them once it is recorded.
  if (event.type === 'finished' && record.version !== undefined && consoles.has(id)) void refreshVersion(id);
}

/**
 * A bake another process runs (the CLI, a webhook server) comes as its whole record whenever main sees it
 * move on; an open page of it reads the console lines that came with it from the saved log.
 */
function applyChanged(record: BakeRecord): void {
  const id = record.id;
  // A bake whose process died (or was just claimed by recovery) changes how it lists without a new seq.
  const held = useBakesStore.getState().records[id];
  const flipped = held?.seq === record.seq && Boolean(held.orphaned) !== Boolean(record.orphaned);
  if ((lastSeq.get(id) ?? -1) >= record.seq && !flipped) return;
  const { list } = useBakesStore.getState();
  const listed = matches(record, list.filter) && !list.ids.includes(id);
  useBakesStore.setState({
    records: mergeRecords([record]),
    ...(listed ? { list: { ...list, ids: [id, ...list.ids] } } : {}),
  });
  if (!consoles.has(id)) return;
  followConsole(id);
  if (isFinalStatus(record.status) && record.version !== undefined) void refreshVersion(id);
}

function apply(update: Update): void {
  if ('event' in update) applyEvent(update.event);
  else applyChanged(update.changed);
}

function onUpdate(update: Update): void {
  if (loadsInFlight > 0) waiting.push(update);
  else apply(update);
}

// Subscribed as this module loads, before the app says "ready": events main queued during a reload
// are flushed to a listener that is already here.
api.bake.onEvent((event) => onUpdate({ event }));
api.bake.onChanged(({ record }) => onUpdate({ changed: record }));

/** Runs a snapshot request with live events held back, then applies what arrived meanwhile. */
async function snapshot<T>(load: () => Promise<T>, merge: (value: T) => void): Promise<void> {
  loadsInFlight++;
  try {
    merge(await load());
  } finally {
    loadsInFlight--;
    if (loadsInFlight === 0) waiting.splice(0).forEach(apply);
  }
}

/** Takes a record from main unless this renderer already applied something newer. */
function mergeRecords(incoming: readonly BakeRecord[]): Record<string, BakeRecord> {
  const records = { ...useBakesStore.getState().records };
  for (const record of incoming) {
    if ((lastSeq.get(record.id) ?? -1) > record.seq) continue;
    records[record.id] = record;
    lastSeq.set(record.id, record.seq);
  }
  return records;
}

function scheduleFrame(flush: () => void): void {
  // Hidden windows get no animation frames; a timer keeps their console current all the same.
  if (document.visibilityState === 'hidden') setTimeout(flush, 100);
  else requestAnimationFrame(flush);
}

/** Loads a bake for its page and keeps its console live until `closeBake`. */
export function openBake(id: string): Promise<void> {
  return snapshot(
    () => unwrap(api.bake.get(id)),
    (details: BakeDetails) => {
      const lines = consoles.get(id) ?? new ConsoleLines({ schedule: scheduleFrame });
      consoles.set(id, lines);
      // The snapshot's console ends exactly at its seq, so it replaces whatever was held.
      lines.reset(details.consoleTail, details.consoleLines);
      openings.set(id, (openings.get(id) ?? 0) + 1);
      lastSeq.delete(details.record.id);
      const { versions, loadErrors } = useBakesStore.getState();
      const { [id]: _failed, ...otherErrors } = loadErrors;
      useBakesStore.setState({
        records: mergeRecords([details.record]),
        versions: details.version ? { ...versions, [id]: details.version } : versions,
        loadErrors: otherErrors,
      });
    },
  ).catch((error: unknown) => {
    useBakesStore.setState((s) => ({ loadErrors: { ...s.loadErrors, [id]: errorMessage(error) } }));
  });
}

/** Replaces what is held of a bake with main's current snapshot (and its console, when it is open). */
function resync(id: string): Promise<void> {
  if (consoles.has(id)) return openBake(id);
  return snapshot(
    () => unwrap(api.bake.get(id)),
    (details: BakeDetails) => {
      lastSeq.delete(id);
      useBakesStore.setState({ records: mergeRecords([details.record]) });
    },
  ).catch(() => undefined);
}

export function closeBake(id: string): void {
  consoles.delete(id);
}

/** Console reads of bakes run elsewhere: one at a time per bake, and one more if told of new lines meanwhile. */
const consoleReads = new Map<string, { again: boolean }>();

function followConsole(id: string): void {
  const reading = consoleReads.get(id);
  if (reading) {
    reading.again = true;
    return;
  }
  const state = { again: true };
  consoleReads.set(id, state);
  void (async () => {
    while (state.again && consoles.has(id)) {
      state.again = false;
      await readNewLines(id).catch(() => undefined);
    }
  })().finally(() => consoleReads.delete(id));
}

/**
 * Appends the lines the saved log gained since the last one held. The read starts one line early: that line
 * must be the last one held, or the log was cut (past its cap it keeps only its newest half, so line numbers
 * moved) and a snapshot is the way back — as it is when far behind.
 */
async function readNewLines(id: string): Promise<void> {
  const lines = consoles.get(id);
  if (!lines) return;
  const opening = openings.get(id);
  const from = lines.total;
  const overlap = from > 0 && lines.length > 0 ? 1 : 0;
  const held = lines.line(lines.length - 1);
  const page = await unwrap(
    api.bake.console({ id, fromLine: from - overlap, limit: CONSOLE_PAGE_MAX + overlap }),
  );
  // Reopened, or lines arrived by another path (an engine here took the bake over) while this read ran.
  if (consoles.get(id) !== lines || openings.get(id) !== opening || lines.total !== from) return;
  const moved = overlap === 1 && page.lines[0] !== held;
  if (moved || page.total < from || from - overlap + page.lines.length < page.total) await openBake(id);
  else lines.append(page.lines.slice(overlap));
}

export function consoleOf(id: string): ConsoleLines | undefined {
  return consoles.get(id);
}

async function refreshVersion(id: string): Promise<void> {
  const version = (await unwrap(api.bake.get(id)).catch(() => undefined))?.version;
  if (version) useBakesStore.setState((s) => ({ versions: { ...s.versions, [id]: version } }));
}

/** Older console lines, fetched from the saved log into the open console. */
export async function loadEarlierLines(id: string): Promise<void> {
  const lines = consoles.get(id);
  if (!lines || lines.earlier === 0) return;
  const wanted = lines.earlier;
  const earlier: string[] = [];
  while (earlier.length < wanted) {
    const page = await unwrap(
      api.bake.console({ id, fromLine: earlier.length, limit: Math.min(20_000, wanted - earlier.length) }),
    );
    earlier.push(...page.lines);
    if (page.lines.length === 0) break;
  }
  lines.prepend(earlier);
}

export function loadBakeList(filter: BakeListFilter): Promise<void> {
  useBakesStore.setState((s) => ({ list: { ...s.list, filter, loading: true } }));
  return snapshot(
    () => unwrap(api.bake.list({ ...filter, limit: 200 })),
    (records) => {
      useBakesStore.setState({
        records: mergeRecords(records),
        list: { ids: records.map((r) => r.id), filter, loading: false, loaded: true },
      });
    },
  ).catch((error: unknown) => {
    useBakesStore.setState((s) => ({
      list: { ...s.list, loading: false, loaded: true, error: errorMessage(error) },
    }));
  });
}

export function matches(record: BakeRecord, filter: BakeListFilter): boolean {
  return (
    (filter.project === undefined || record.project === filter.project) &&
    (filter.status === undefined || record.status === filter.status)
  );
}

/** Unfinished bakes first, then newest first (ids sort by creation time). */
export function bakeOrder(a: BakeRecord, b: BakeRecord): number {
  const activeA = isFinalStatus(a.status) ? 1 : 0;
  const activeB = isFinalStatus(b.status) ? 1 : 0;
  if (activeA !== activeB) return activeA - activeB;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
