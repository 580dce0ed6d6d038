import { BAKE_STEPS, isFinalStatus } from './bake';
import type { BakeEvent, BakeRecord, BakeStep, StepState, StepStatus } from './bake';

/**
 * The one way a BakeRecord changes: by applying the bake's events in seq order. The engine uses it to keep
 * its record, the store to rebuild record.json from the journal after a crash, and the renderer to apply
 * live events on top of a `bake:get` snapshot — so all three always agree. Pure: returns new objects.
 *
 * An event whose seq is not above the record's seq is already applied and is ignored, which makes replays
 * and "snapshot, then live events" resyncs idempotent.
 */
export function applyBakeEvent(record: BakeRecord | undefined, event: BakeEvent): BakeRecord {
  if (event.type === 'created') return { ...event.record, seq: event.seq };
  if (!record) throw new Error(`Bake ${event.bakeId}: a "${event.type}" event arrived before "created".`);
  if (record.id !== event.bakeId)
    throw new Error(`Event for bake ${event.bakeId} applied to bake ${record.id}.`);
  if (event.seq <= record.seq) return record;
  const next: BakeRecord = { ...journaled(record), seq: event.seq };
  switch (event.type) {
    case 'status':
      next.status = event.status;
      if (event.message !== undefined) next.message = event.message;
      if (event.joinedTo !== undefined) next.joinedTo = event.joinedTo;
      if (event.status === 'running' && next.startedAt === undefined) next.startedAt = event.at;
      if (isFinalStatus(event.status) && next.endedAt === undefined) next.endedAt = event.at;
      return next;
    case 'step':
      next.steps = withStep(record.steps, event.step, event.status, event.at, event.message);
      return next;
    case 'resource':
      if (event.kind === 'instance') next.instanceId = event.id;
      else if (event.kind === 'base-image') next.baseImageId = event.id;
      else if (event.kind === 'image') {
        next.imageId = event.id;
        if (event.name !== undefined) next.imageName = event.name;
      } else if (!record.snapshotIds.includes(event.id)) next.snapshotIds = [...record.snapshotIds, event.id];
      return next;
    case 'error':
      next.error = event.error;
      return next;
    case 'cleanup':
      next.cleanedUp = [...record.cleanedUp, event.action];
      return next;
    case 'warnings':
      next.warnings = event.warnings;
      return next;
    case 'console':
      // Console lines live in the bake's console log, not in the record.
      return next;
    case 'copy': {
      const copies = record.copies ?? [];
      const before = copies.find((c) => c.region === event.region);
      const updated = {
        ...(before ?? { region: event.region, snapshotIds: [] }),
        state: event.state,
        ...(event.imageId !== undefined ? { imageId: event.imageId } : {}),
        ...(event.progress !== undefined ? { progress: event.progress } : {}),
        ...(event.snapshotIds !== undefined ? { snapshotIds: event.snapshotIds } : {}),
        ...(event.message !== undefined ? { message: event.message } : {}),
      };
      next.copies = before ? copies.map((c) => (c === before ? updated : c)) : [...copies, updated];
      return next;
    }
    case 'published': {
      const { region, name, imageId, previous } = event;
      const entry = { region, name, imageId, ...(previous !== undefined ? { previous } : {}) };
      next.published = [...(record.published ?? []).filter((p) => p.region !== region), entry];
      return next;
    }
    case 'finished':
      return { ...event.record, seq: event.seq };
  }
}

/**
 * A listing's view of a dead bake (see BakeRecord.orphaned) taken back to what its journal says: an event
 * means the bake moved on — recovery resumed or ended it — so the view no longer applies.
 */
function journaled(record: BakeRecord): BakeRecord {
  const { orphaned, ...rest } = record;
  if (!orphaned) return record;
  const { message: _view, ...base } = rest;
  return {
    ...base,
    status: orphaned.was,
    ...(orphaned.wasMessage !== undefined ? { message: orphaned.wasMessage } : {}),
  };
}

export function reduceBakeEvents(events: Iterable<BakeEvent>, initial?: BakeRecord): BakeRecord | undefined {
  let record = initial;
  for (const event of events) record = applyBakeEvent(record, event);
  return record;
}

const SETTLED: readonly StepStatus[] = ['done', 'failed', 'skipped', 'cancelled'];

function withStep(
  steps: StepState[],
  step: BakeStep,
  status: StepStatus,
  at: number,
  message: string | undefined,
): StepState[] {
  const previous = steps.find((s) => s.step === step);
  const updated: StepState = { ...(previous ?? { step }), status };
  if (status === 'running' && updated.startedAt === undefined) updated.startedAt = at;
  if (SETTLED.includes(status)) updated.endedAt = at;
  if (message !== undefined) updated.message = message;
  const others = steps.filter((s) => s.step !== step);
  // Keep the pipeline order whatever order steps were first reported in.
  return [...others, updated].sort((a, b) => BAKE_STEPS.indexOf(a.step) - BAKE_STEPS.indexOf(b.step));
}
