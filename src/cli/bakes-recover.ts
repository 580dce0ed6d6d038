import type { Command } from 'commander';
import { describeEvent, describeOutcome, type RecoveryReport } from '../main/services/bake';
import type { BakeRecord } from '../shared/bake';
import { AppError } from '../shared/result';
import { EXIT_INTERRUPTED, EXIT_OK } from './exit-codes';
import type { CliIO } from './program';
import { withInterrupt } from './interrupt';
import { cliRuntime, printRecovery } from './runtime';

export interface RecoverFlags {
  json?: boolean;
  mfaCode?: string;
}

/**
 * `quadraxis bakes --recover`: settles every bake whose process is gone, as the next `quadraxis bake` would
 * before its own — a bake whose builder or image still exists is resumed and followed here to its end
 * (progress on stderr), one that cannot be is cleaned up, one that launched nothing is marked interrupted.
 * Waiting matters: a resumed bake left by a command that exits is orphaned again. Ctrl-C cancels the
 * resumed bakes (they clean up first, exit 130); a second Ctrl-C quits at once, for the next start to redo.
 */
export async function recoverBakes(command: Command, io: CliIO, flags: RecoverFlags): Promise<number> {
  const runtime = cliRuntime(command, io, flags);
  try {
    return await withInterrupt(
      io,
      'Cancelling the resumed bakes: removing what they made (press Ctrl-C again to quit at once)…',
      (interrupt) => settle(io, runtime, flags, interrupt),
    );
  } finally {
    await runtime.close();
  }
}

/** Recovers, then follows the resumed bakes to their end; `interrupt` cancels them. */
async function settle(
  io: CliIO,
  runtime: ReturnType<typeof cliRuntime>,
  flags: RecoverFlags,
  interrupt: AbortSignal,
): Promise<number> {
  const { engine } = runtime;
  const report = await engine.recover();
  printRecovery(io, report);
  const resumed = report.bakes.filter((b) => b.outcome === 'resumed').map((b) => b.bakeId);
  const off = engine.subscribe((event) => {
    if (!resumed.includes(event.bakeId)) return;
    for (const line of describeEvent(event)) io.stderr(`${event.bakeId}: ${line}\n`);
  });
  const cancel = () => resumed.forEach((id) => void engine.cancel(id).catch(() => undefined));
  interrupt.addEventListener('abort', cancel, { once: true });
  let finals: BakeRecord[];
  try {
    finals = await Promise.all(resumed.map((id) => engine.waitForFinal(id)));
  } finally {
    off();
    interrupt.removeEventListener('abort', cancel);
  }
  printRecovered(io, report, finals, flags.json === true);
  const unreachable = report.bakes.filter((b) => b.outcome === 'unreachable');
  if (unreachable.length > 0) {
    throw new AppError(
      'AWS_ERROR',
      `${unreachable.map((b) => `${b.bakeId} (${b.project})`).join(', ')} could not be recovered yet; run \`quadraxis bakes --recover\` again once AWS can be reached.`,
    );
  }
  return interrupt.aborted ? EXIT_INTERRUPTED : EXIT_OK;
}

/** stdout: what became of each bake recovered (JSON: the report and the resumed bakes' final records). */
function printRecovered(io: CliIO, report: RecoveryReport, finals: BakeRecord[], json: boolean): void {
  if (json) {
    io.stdout(`${JSON.stringify({ recovered: report.bakes, resumed: finals }, null, 2)}\n`);
    return;
  }
  if (report.bakes.length === 0) {
    io.stdout('No interrupted bakes: nothing to recover.\n');
    return;
  }
  for (const bake of report.bakes) {
    const final = finals.find((f) => f.id === bake.bakeId);
    io.stdout(
      `${bake.bakeId} (${bake.project}): ${final ? `resumed. ${describeOutcome(final)}` : `${bake.outcome}. ${bake.message}`}\n`,
    );
  }
}
