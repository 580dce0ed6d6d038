import type { CliIO } from './program';

/**
 * Runs a long command with Ctrl-C (or SIGTERM from CI) wired to it: the first signal says `cancelling` on
 * stderr and aborts `run`'s signal, so the command stops gracefully and cleans up before it ends; a second
 * quits at once with that signal, leaving the cleanup to the next start's recovery.
 */
export async function withInterrupt<T>(
  io: CliIO,
  cancelling: string,
  run: (interrupt: AbortSignal) => Promise<T>,
): Promise<T> {
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      process.kill(process.pid, signal);
      return;
    }
    io.stderr(`\n${cancelling}\n`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    return await run(interrupt.signal);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}
