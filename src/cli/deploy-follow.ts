import type { Runtime } from '../main/runtime/runtime';
import { DeployEventText, describeDeployOutcome } from '../main/services/deploy/progress-text';
import type { Deployment } from '../shared/deploy';
import { AppError } from '../shared/result';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK } from './exit-codes';
import type { CliIO } from './program';
import { unknownProfileAsBadInput } from './project-target';

/**
 * Starts (or, for `deployments … --rollback`, starts rolling back) and prints the deployment's events
 * until it ends. Ctrl-C asks AWS to cancel the refresh, waits for that, and exits 130.
 */
export async function follow(
  io: CliIO,
  runtime: Runtime,
  json: boolean,
  interrupt: AbortSignal,
  start: () => Promise<Deployment>,
): Promise<number> {
  const text = new DeployEventText();
  let id: string | undefined;
  const early: Parameters<Parameters<Runtime['deploy']['subscribe']>[0]>[0][] = [];
  const print = (event: (typeof early)[number]) => {
    if (json) io.stdout(`${JSON.stringify(event)}\n`);
    else for (const line of text.lines(event)) io.stdout(`${line}\n`);
  };
  const off = runtime.deploy.subscribe((event) => {
    if (id === undefined) early.push(event);
    else if (event.deployId === id) print(event);
  });
  try {
    let started: Deployment;
    try {
      started = await start();
    } catch (error) {
      throw unknownProfileAsBadInput(error);
    }
    id = started.id;
    const before = early.filter((e) => e.deployId === started.id);
    // Started elsewhere (after a bake) before this began to listen: say where it stands, then follow.
    if (!before.some((e) => e.type === 'created'))
      print({
        type: 'created',
        deployId: started.id,
        seq: started.seq,
        at: started.createdAt,
        record: started,
      });
    for (const event of before) print(event);
    const cancel = () => void runtime.deploy.cancel(started.id).catch(() => undefined);
    if (interrupt.aborted) cancel();
    else interrupt.addEventListener('abort', cancel, { once: true });
    const final = await runtime.deploy.waitForFinal(started.id);
    if (!json && final.status !== 'succeeded') io.stderr(`${describeDeployOutcome(final)}\n`);
    if (interrupt.aborted) return EXIT_INTERRUPTED;
    return final.status === 'succeeded' ? EXIT_OK : EXIT_FAILURE;
  } catch (error) {
    // Refused before anything changed: a failed deploy to a script, with the reason on stderr.
    if (error instanceof AppError && error.code === 'CONFLICT') {
      io.stderr(`refused: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    throw error;
  } finally {
    off();
  }
}
