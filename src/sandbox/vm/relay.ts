import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * QEMU's `guestfwd=…-cmd:` runs one process per guest connection, with the connection as its stdin and
 * stdout (and stderr). This one joins it to a loopback TCP port of the Sandbox with bash's /dev/tcp: two
 * `cat`s and no new dependency, at about a millisecond per connection (a Node relay costs ~90 ms of CPU
 * each, and cloud-init opens a connection per metadata key). The Sandbox's servers answer one request per
 * connection and close it, so the relay needs no half-close.
 */
const RELAY = `# Quadraxis Sandbox: one guest connection (stdin/stdout) to 127.0.0.1:$1.
exec 2> /dev/null
exec 3<> "/dev/tcp/127.0.0.1/$1" || exit 1
cat <&3 &
cat >&3
wait
`;

export async function writeRelay(workDir: string): Promise<string> {
  const path = join(workDir, 'relay.sh');
  await writeFile(path, RELAY, { mode: 0o644 });
  return path;
}

/**
 * The `cmd:` for a connection forwarded to `port`. libslirp splits it into words the way a shell would
 * (g_shell_parse_argv) and runs the program from PATH itself, with no shell in between.
 */
export function relayCommand(relayPath: string, port: number): string {
  return `bash ${shellQuote(relayPath)} ${port}`;
}

function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
