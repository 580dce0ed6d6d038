import { execFile } from 'node:child_process';

/** Runs a program to completion; rejects with its stderr in the message when it fails. */
export function run(
  file: string,
  args: readonly string[],
  options: { timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim() || error.message;
          reject(new Error(`${file} ${args[0] ?? ''} failed: ${detail}`, { cause: error }));
        } else resolve({ stdout, stderr });
      },
    );
  });
}
