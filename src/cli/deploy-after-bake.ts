import type { Runtime } from '../main/runtime/runtime';
import type { BakeRecord } from '../shared/bake';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes';
import type { CliIO } from './program';
import { follow } from './deploy-follow';

/**
 * `quadraxis bake --deploy`, once the bake succeeded: the runtime has started a deployment to every
 * target (src/main/services/deploy/after-bake.ts); this follows each to its end. 0 only when every
 * target now runs the new version.
 */
export async function deployAfterBake(
  io: CliIO,
  runtime: Runtime,
  bake: BakeRecord,
  json: boolean,
  interrupt: AbortSignal,
): Promise<number> {
  const outcome = await runtime.afterBake.outcome(bake.id);
  if (!outcome) return EXIT_FAILURE;
  let code = EXIT_OK;
  for (const refused of outcome.refused) {
    io.stderr(
      `refused: deploy to ${refused.group}${refused.region ? ` in ${refused.region}` : ''}: ${refused.message}\n`,
    );
    code = EXIT_FAILURE;
  }
  for (const deployment of outcome.started) {
    const result = await follow(io, runtime, json, interrupt, () => Promise.resolve(deployment));
    if (result !== EXIT_OK) code = result;
  }
  return code;
}
