import { runCli } from '../../src/cli/program';

/** Runs `quadraxis --data-dir <dataDir> ...args` in-process and hands back the exit code and all it printed. */
export async function runCliOn(
  dataDir: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--data-dir', dataDir, ...args], {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    env,
  });
  return { code, stdout, stderr };
}
