import { GetConsoleOutputCommand } from '@aws-sdk/client-ec2';
import { awsErrorCode } from './aws-call';
import type { BakeRun } from './bake-run';
import { isAbortError } from './failure';

/** Some instance types (older Xen ones) cannot give the latest output and refuse `Latest=true`. */
function latestUnsupported(error: unknown): boolean {
  const code = awsErrorCode(error);
  return (
    code === 'UnsupportedOperation' || (code === 'InvalidParameterValue' && /latest/i.test(String(error)))
  );
}

/**
 * Fetches the builder's serial console once: new lines are journaled as a `console` event (and so land in
 * console.log) and handed to `onLines`. Errors other than cancellation are logged and swallowed — the
 * console is how the engine learns of a script failure early, but the instance state stays the authority.
 */
export async function fetchConsole(
  run: BakeRun,
  options: { signal: AbortSignal; latest: { value: boolean } },
  onLines: (lines: string[]) => void,
): Promise<void> {
  const instanceId = run.state.instanceId;
  if (!instanceId) return;
  try {
    const out = await run.call(
      'GetConsoleOutput',
      (o) =>
        run.connection.clients.ec2.send(
          new GetConsoleOutputCommand({
            InstanceId: instanceId,
            ...(options.latest.value ? { Latest: true } : {}),
          }),
          o,
        ),
      { signal: options.signal, attempts: 2 },
    );
    const text = out.Output ? Buffer.from(out.Output, 'base64').toString('utf8') : '';
    const lines = run.consoleTail.push(text);
    if (lines.length === 0) return;
    await run.emit({ type: 'console', lines });
    onLines(lines);
  } catch (error) {
    if (options.signal.aborted || isAbortError(error)) throw error;
    if (latestUnsupported(error)) options.latest.value = false;
    else run.logger.warn('could not read the builder console', { bakeId: run.id, error: String(error) });
  }
}

/** Polls the console until the signal aborts. Bakes share the region's console budget round-robin. */
export async function streamConsole(
  run: BakeRun,
  signal: AbortSignal,
  onLines: (lines: string[]) => void,
): Promise<void> {
  const latest = { value: true };
  while (!signal.aborted) {
    await fetchConsole(run, { signal, latest }, onLines);
    await run.clock.sleep(run.env.pollIntervalMs, signal);
  }
}
