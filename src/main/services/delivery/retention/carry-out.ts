import { CreateTagsCommand, DeregisterImageCommand, DisableImageCommand } from '@aws-sdk/client-ec2';
import type { PruneOutcome } from '../../../../shared/lifecycle';
import { awsErrorCode } from '../../bake/aws-call';
import { deleteSnapshot } from '../copy';
import type { RegionHandle } from '../reach';
import type { PruneContext } from './context';
import { findUsage } from './in-use';
import { TAG_DISABLED_AT } from './inventory';
import { writeJournal, type JournalEntry, type PruneJournal } from './journal';
import { describeUse } from './rules';

/** Carries a journal to its end: every entry done, skipped (in use) or failed; journaled after each action. */
export async function carryOut(
  ctx: PruneContext,
  journal: PruneJournal,
  resumed: boolean,
  signal: AbortSignal,
  count: () => void,
  onOutcome: ((outcome: PruneOutcome) => void) | undefined,
): Promise<PruneOutcome[]> {
  const { deps } = ctx;
  const reach = ctx.reachFor(journal, count);
  const save = () => writeJournal(deps.dataDir, journal);
  const outcomes: PruneOutcome[] = [];
  const regions = [...new Set(journal.entries.filter((e) => !terminal(e)).map((e) => e.region))];
  for (const region of regions) {
    const entries = journal.entries.filter((e) => e.region === region && !terminal(e));
    let handle: RegionHandle;
    let usage;
    try {
      handle = await reach.region(region);
      // Asked now, not when the plan was made: whatever started using an image since keeps it.
      const planned = entries.filter((e) => e.state === 'planned');
      usage = await findUsage(
        handle,
        planned.map((e) => e.imageId),
        ctx.finders(journalParameters(journal)),
        signal,
      );
      await ctx.runningBakes(
        planned.flatMap((e) => (e.bakeId ? [{ imageId: e.imageId, bakeId: e.bakeId }] : [])),
        usage,
      );
    } catch (error) {
      if (signal.aborted) throw error;
      for (const entry of entries) {
        entry.message = error instanceof Error ? error.message : String(error);
        outcomes.push(outcome(entry, resumed, 'failed'));
      }
      continue;
    }
    for (const entry of entries) {
      try {
        const uses = usage.get(entry.imageId) ?? [];
        if (entry.state === 'planned' && uses.length > 0) {
          entry.state = 'skipped';
          entry.message = `in use: ${uses.map(describeUse).join(', ')}`;
          await save();
        } else {
          await retire(ctx, handle, entry, save, signal);
        }
        outcomes.push(outcome(entry, resumed));
      } catch (error) {
        if (signal.aborted) throw error;
        entry.message = error instanceof Error ? error.message : String(error);
        await save();
        outcomes.push(outcome(entry, resumed, 'failed'));
      }
      onOutcome?.(outcomes.at(-1)!);
    }
  }
  if (journal.entries.every(terminal)) {
    journal.finishedAt = deps.clock.now();
    await save();
  }
  return outcomes;
}

async function retire(
  ctx: PruneContext,
  handle: RegionHandle,
  entry: JournalEntry,
  save: () => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  if (entry.action === 'disable') {
    await handle.call(
      'CreateTags',
      (o) =>
        handle.clients.ec2.send(
          new CreateTagsCommand({
            Resources: [entry.imageId],
            Tags: [{ Key: TAG_DISABLED_AT, Value: new Date(ctx.deps.clock.now()).toISOString() }],
          }),
          o,
        ),
      signal,
    );
    await handle.call(
      'DisableImage',
      (o) => handle.clients.ec2.send(new DisableImageCommand({ ImageId: entry.imageId }), o),
      signal,
    );
    entry.state = 'done';
    await save();
    return;
  }
  if (entry.state === 'planned') {
    try {
      await handle.call(
        'DeregisterImage',
        (o) => handle.clients.ec2.send(new DeregisterImageCommand({ ImageId: entry.imageId }), o),
        signal,
      );
    } catch (error) {
      if (awsErrorCode(error) !== 'InvalidAMIID.NotFound') throw error;
    }
    entry.state = 'image-gone';
    await save();
  }
  for (const snapshotId of entry.snapshotIds) {
    if (entry.deletedSnapshots.includes(snapshotId)) continue;
    await deleteSnapshot(handle, snapshotId, signal);
    entry.deletedSnapshots.push(snapshotId);
    await save();
  }
  entry.state = 'done';
  await save();
}

/** The parameters a journal asks about; one from before per-environment parameters named just one. */
function journalParameters(journal: PruneJournal): string[] {
  return journal.parameters ?? (journal.parameter !== undefined ? [journal.parameter] : []);
}

export function terminal(entry: JournalEntry): boolean {
  return entry.state === 'done' || entry.state === 'skipped';
}

function outcome(entry: JournalEntry, resumed: boolean, failed?: 'failed'): PruneOutcome {
  const result: PruneOutcome['result'] = failed
    ? 'failed'
    : entry.state === 'skipped'
      ? 'skipped'
      : entry.action === 'disable'
        ? 'disabled'
        : 'deregistered';
  return {
    region: entry.region,
    imageId: entry.imageId,
    result,
    snapshotsDeleted: [...entry.deletedSnapshots],
    ...(entry.message ? { message: entry.message } : {}),
    ...(resumed ? { resumed: true } : {}),
  };
}
