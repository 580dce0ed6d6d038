import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * Reads `add <pgid>` / `del <pgid>` lines for as long as its stdin is open. When it closes — the Sandbox
 * closed it, exited, crashed or was killed with SIGKILL, the kernel closes it either way — every process
 * group still listed gets SIGKILL and the work directory goes. Terminal signals are ignored, so a Ctrl-C
 * that reaches the whole process group cannot end the watchdog before it has cleaned up.
 */
const SCRIPT = `trap '' INT TERM HUP
groups=
while read -r verb group; do
  case $verb in
    add) groups="$groups $group" ;;
    del) kept=; for g in $groups; do [ "$g" = "$group" ] || kept="$kept $g"; done; groups=$kept ;;
  esac
done
for g in $groups; do kill -KILL -"$g" 2>/dev/null; done
rm -rf -- "$1"
`;

export class Watchdog {
  private constructor(private readonly child: ChildProcess) {}

  /** `workDir` is removed when the watchdog ends: it must be a directory the Sandbox made for itself. */
  static start(workDir: string): Watchdog {
    const child = spawn('/bin/sh', ['-c', SCRIPT, 'quadraxis-vm-watchdog', workDir], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    // Neither the process nor its pipe may keep the Sandbox's event loop alive.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    child.stdin?.on('error', () => undefined);
    return new Watchdog(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** QEMU runs in its own process group (pgid = its pid); the watchdog kills the whole group. */
  watch(pgid: number): void {
    this.child.stdin?.write(`add ${pgid}\n`);
  }

  forget(pgid: number): void {
    this.child.stdin?.write(`del ${pgid}\n`);
  }

  /** Ends the watch: whatever is still listed is killed, the work directory removed. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.stdin?.end();
    await exited;
  }
}
