import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execFileSync } from 'node:child_process';

/**
 * A temporary root for running the wrapper for real, under dash or bash, as cloud-init would run it: from
 * its part file. Everything the wrapper touches outside the root is a stand-in reached through QX_*
 * variables: the console devices (regular files, or a real pseudo-terminal), /proc/consoles, cloud-init,
 * systemctl and poweroff.
 */
export const NONCE = '0123456789abcdef0123456789abcdef';
export const BAKE = 'bk_00000000000000000000';
export const INSTANCE = 'i-0123456789abcdef0';

export class WrapperRoot {
  private constructor(readonly dir: string) {}

  static async create(): Promise<WrapperRoot> {
    const root = new WrapperRoot(await mkdtemp(join(tmpdir(), 'qx-wrapper-')));
    await mkdir(root.path('bin'));
    await mkdir(root.path('dev'));
    await mkdir(root.path('proc'));
    await mkdir(root.path('var/log'), { recursive: true });
    await mkdir(root.path('var/lib/cloud/data'), { recursive: true });
    await mkdir(root.instance('scripts'), { recursive: true });
    await symlink(`instances/${INSTANCE}`, root.path('var/lib/cloud/instance'));
    await root.stub('poweroff', `echo off >> "${root.path('poweroff.log')}"`);
    await root.stub('systemctl', 'echo active');
    return root;
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  instance(...parts: string[]): string {
    return this.path('var/lib/cloud/instances', INSTANCE, ...parts);
  }

  /** An executable stand-in in the root's bin (first on PATH). */
  async stub(name: string, body: string): Promise<void> {
    const path = this.path('bin', name);
    await writeFile(path, `#!/bin/sh\n${body}\n`);
    await chmod(path, 0o755);
  }

  /** Console devices as regular files, and /proc/consoles listing `listed` (the last one is /dev/console). */
  async consoles(devices: string[], listed: string[] = devices): Promise<void> {
    for (const device of devices) await writeFile(this.path('dev', device), '');
    const lines = listed.map((name) => `${name.padEnd(21)}-W- (EC p a)    4:64`);
    await writeFile(this.path('proc/consoles'), lines.length > 0 ? `${lines.join('\n')}\n` : '');
  }

  /**
   * cloud-init as the wrapper uses it: `status --wait` exits with `waitCode`, `status --format json` prints
   * `json`, `schema --system` prints `schema`; anything else is logged (clean) to cloud-init.calls.
   */
  async cloudInit(options: { waitCode?: number; json?: string; schema?: string } = {}): Promise<void> {
    await writeFile(this.path('status.json'), options.json ?? '{"status": "done", "errors": []}');
    await writeFile(this.path('schema.txt'), options.schema ?? '');
    await this.stub(
      'cloud-init',
      `echo "$*" >> "${this.path('cloud-init.calls')}"
case "$1 $2" in
  "status --help") echo "usage: cloud-init status [-h] [--format {json,tabular,yaml}] [--long] [--wait]" ;;
  "status --wait") exit ${options.waitCode ?? 0} ;;
  "status --format") cat "${this.path('status.json')}" ;;
  "schema --system") cat "${this.path('schema.txt')}"; exit 1 ;;
esac`,
    );
  }

  /** Writes the wrapper where cloud-init puts a part and runs it; resolves with its exit code. */
  run(
    wrapper: string,
    options: { shell?: string; env?: Record<string, string>; umask?: number; part?: string } = {},
  ): Promise<number> {
    const part = this.instance('scripts', options.part ?? 'part-001');
    return mkdir(this.instance('scripts'), { recursive: true })
      .then(() => writeFile(part, wrapper, { mode: 0o700 }))
      .then(
        () =>
          new Promise((resolve) => {
            const shell = options.shell ?? '/bin/sh';
            const umask = (options.umask ?? 0o022).toString(8).padStart(4, '0');
            // Started the way cloud-init starts a part: the image's umask, no terminal, the part as $0.
            const child = spawn('/bin/sh', ['-c', `umask ${umask} && exec ${shell} "$0"`, part], {
              env: {
                PATH: `${this.path('bin')}:/usr/bin:/bin`,
                QX_ROOT: this.dir,
                QX_DEV: this.path('dev'),
                QX_PROC: this.path('proc'),
                QX_POWEROFF: this.path('bin', 'poweroff'),
                QX_FOREGROUND: '1',
                ...options.env,
              },
              stdio: ['ignore', 'ignore', 'inherit'],
            });
            child.on('exit', (code) => resolve(code ?? -1));
          }),
      );
  }

  read(...parts: string[]): Promise<string> {
    return readFile(this.path(...parts), 'utf8').catch(() => '');
  }

  exists(path: string): Promise<boolean> {
    return stat(path).then(
      () => true,
      () => false,
    );
  }

  /** poweroff as a FIFO: resolves when the (detached) wrapper powers off. No sleeping, no polling. */
  async poweroffEvent(): Promise<{ off: Promise<string> }> {
    const fifo = this.path('off.fifo');
    execFileSync('mkfifo', [fifo]);
    await this.stub('poweroff', `echo off > "${fifo}"`);
    const off = new Promise<string>((resolve) => {
      let text = '';
      createReadStream(fifo, 'utf8')
        .on('data', (chunk) => (text += String(chunk)))
        .on('end', () => resolve(text));
    });
    return { off };
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * A real pseudo-terminal standing in for the serial port (python3's pty module): what the old wrapper gave
 * the script as its output, which made pagers wait for a key. Its output is copied to a file.
 */
export async function ptyConsole(root: WrapperRoot, name = 'ttyS0'): Promise<{ stop: () => Promise<void> }> {
  const copy = root.path(`${name}.pty-output`);
  await rm(root.path('dev', name), { force: true });
  const child: ChildProcess = spawn(
    'python3',
    [
      '-c',
      `import os, pty, sys
m, s = pty.openpty()
os.symlink(os.ttyname(s), sys.argv[1])
print("ready", flush=True)
out = open(sys.argv[2], "ab", buffering=0)
while True:
    try:
        data = os.read(m, 4096)
    except OSError:
        break
    if not data:
        break
    out.write(data)`,
      root.path('dev', name),
      copy,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    lines.once('line', () => resolve());
    child.once('exit', (code) => reject(new Error(`the pty helper exited (${code})`)));
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
