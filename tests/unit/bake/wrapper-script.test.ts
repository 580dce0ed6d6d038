import { createHash } from 'node:crypto';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { stat, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, onTestFinished, test } from 'vitest';
import { buildScriptWrapper, wrapperText } from '../../../src/main/services/bake/wrapper';
import { beginMarker, cleanedMarker, doneMarker, rebootedMarker } from '../../../src/protocol/markers';
import { BAKE, NONCE, ptyConsole, WrapperRoot } from './wrapper-root';

/**
 * Script mode, run for real under dash (Debian's /bin/sh) and bash in a temporary root. What only a real
 * kernel, systemd and cloud-init can show is tested again by the Sandbox's VM suite.
 */
let root: WrapperRoot;

beforeEach(async () => {
  root = await WrapperRoot.create();
  await root.consoles(['ttyS0', 'tty0'], ['ttyS0', 'tty0']);
  for (const name of ['user-data.txt', 'user-data.txt.i', 'obj.pkl', 'cloud-config.txt'])
    await writeFile(root.instance(name), `copy of the user data with its nonce ${NONCE}`);
  await writeFile(root.instance('vendor-data.txt'), 'the platform’s own');
  await writeFile(root.instance('scripts/runcmd'), 'echo from the cloud-config');
  await writeFile(root.path('var/lib/cloud/data/status.json'), '{}');
});

afterEach(async () => root.close());

const wrap = (script: string, env: Record<string, string> = {}, cloudInitClean = true) =>
  wrapperText(buildScriptWrapper({ bakeId: BAKE, nonce: NONCE, cloudInitClean, script, env }));

const consoleLines = async (device = 'ttyS0') => (await root.read('dev', device)).split('\n');
const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

describe.each(['/bin/sh', '/bin/bash'])('script mode under %s', (shell) => {
  test('runs the script verbatim with its environment from /, reports at once, cleans after cloud-init, powers off', async () => {
    await root.cloudInit();
    const env = { GREETING: 'wörld "quoted" $HOME `tick` \\n', MULTI: 'line one\nline two\n', EMPTY: '' };
    // No newline at the end, quotes, $, a line like a here-document's end: all carried as written.
    const script =
      '#!/bin/sh\nprintf \'hello %s\\n\' "$GREETING"\nprintf \'[%s]\\n\' "$MULTI"\necho "empty=[$EMPTY] pwd=$(pwd)"\ncat <<\'EOF\'\nQX_ENV_END\n$literal\nEOF\nsha256sum "$0" | cut -c1-64';
    expect(await root.run(wrap(script, env), { shell })).toBe(0);
    const lines = await consoleLines();
    const text = lines.join('\n');
    expect(lines[0]).toBe(beginMarker(NONCE));
    expect(text).toContain('hello wörld "quoted" $HOME `tick` \\n\n');
    expect(text).toContain('[line one\nline two\n]\n');
    expect(text).toContain('empty=[] pwd=/\n');
    expect(text).toContain('QX_ENV_END\n$literal\n');
    // The file the script ran from is the script as written, byte for byte.
    expect(text).toContain(createHash('sha256').update(script).digest('hex'));
    const done = lines.indexOf(doneMarker(NONCE, 0, 0));
    expect(done).toBeGreaterThan(0);
    expect(lines[done + 1]).toBe(cleanedMarker(NONCE));
    expect(await root.read('poweroff.log')).toBe('off\n');
    // Cleaned only once cloud-init had finished (status --wait), then cloud-init clean.
    const calls = (await root.read('cloud-init.calls')).trim().split('\n');
    expect(calls.indexOf('clean --logs')).toBeGreaterThan(calls.indexOf('status --wait'));
    expect(calls.indexOf('status --wait')).toBeGreaterThanOrEqual(0);
    // Both consoles got everything: the serial port EC2 reads and the other console the kernel lists.
    expect(await root.read('dev', 'tty0')).toBe(await root.read('dev', 'ttyS0'));
  });

  test('the script runs with the image’s umask; the wrapper’s own files stay private by their directory', async () => {
    const script = `#!/bin/sh
mkdir -p "$QX_ROOT/opt/app" && echo "key=value" > "$QX_ROOT/opt/app/app.conf"
echo "work=$(stat -c %a "$QX_ROOT/var/lib/quadraxis") script=$(stat -c %a "$0") umask=$(umask)"
`;
    expect(await root.run(wrap(script), { shell })).toBe(0);
    expect(await mode(root.path('opt/app'))).toBe('755');
    expect(await mode(root.path('opt/app/app.conf'))).toBe('644');
    expect(await root.read('dev', 'ttyS0')).toContain('work=700 script=700 umask=0022\n');

    // An image that boots with another umask gives the script that one, not the wrapper's.
    await root.run(wrap(script), { shell, umask: 0o027 });
    expect(await root.read('dev', 'ttyS0')).toContain('umask=0027\n');
  });

  test('the script never sees a terminal, and pagers are off', async () => {
    await root.consoles(['tty0'], ['ttyS0', 'tty0']);
    const pty = await ptyConsole(root);
    const script = `#!/bin/sh
for fd in 0 1 2; do if [ -t $fd ]; then echo "fd$fd=terminal"; else echo "fd$fd=not-a-terminal"; fi; done
echo "PAGER=$PAGER GIT_PAGER=$GIT_PAGER SYSTEMD_PAGER=[$SYSTEMD_PAGER] AWS_PAGER=[$AWS_PAGER] TERM=[\${TERM-unset}]"
`;
    expect(await root.run(wrap(script), { shell })).toBe(0);
    await pty.stop();
    const serial = (await root.read('ttyS0.pty-output')).replace(/\r\n/g, '\n');
    expect(serial).toContain('fd0=not-a-terminal\nfd1=not-a-terminal\nfd2=not-a-terminal\n');
    expect(serial).toContain('PAGER=cat GIT_PAGER=cat SYSTEMD_PAGER=[] AWS_PAGER=[] TERM=[unset]\n');
    expect(serial).toContain(doneMarker(NONCE, 0, 0));
  });

  test('markers and output reach the serial port even when /dev/console is tty0, and kmsg when no console can be written', async () => {
    // console=ttyS0 console=tty0: the last one, tty0, is /dev/console.
    await root.consoles(['ttyS0', 'tty0'], ['tty0']);
    expect(await root.run(wrap('#!/bin/sh\necho "to every console"\n'), { shell })).toBe(0);
    for (const device of ['ttyS0', 'tty0']) {
      const text = await root.read('dev', device);
      expect(text).toContain(`${beginMarker(NONCE)}\nto every console\n${doneMarker(NONCE, 0, 0)}\n`);
    }

    await root.close();
    root = await WrapperRoot.create();
    await root.consoles([], []);
    await writeFile(root.path('dev/kmsg'), '');
    expect(await root.run(wrap('#!/bin/sh\necho "through the kernel"\n'), { shell })).toBe(0);
    const kmsg = await root.read('dev', 'kmsg');
    expect(kmsg).toContain(`<3>${beginMarker(NONCE)}\n`);
    expect(kmsg).toContain('<3>through the kernel\n');
    expect(kmsg).toContain(`<3>${doneMarker(NONCE, 0, 0)}\n`);
  });

  test('a failed script: its exit code right after its output, then powered off at once without cleaning', async () => {
    await root.cloudInit();
    const code = await root.run(wrap('#!/bin/sh\necho "about to fail" >&2\nexit 3\n'), { shell });
    expect(code).toBe(3);
    const text = await root.read('dev', 'ttyS0');
    expect(text).toBe(
      `${beginMarker(NONCE)}\nabout to fail\n${doneMarker(NONCE, 3, 0)}\nquadraxis: init script failed (exit 3); powering off\n`,
    );
    expect(await root.read('poweroff.log')).toBe('off\n');
    // Nothing is imaged, so nothing waits for cloud-init or cleans.
    expect(await root.read('cloud-init.calls')).toBe('');
    expect(await root.exists(root.instance('scripts/part-001'))).toBe(true);
    expect(await root.exists(root.path('var/lib/cloud/scripts/per-boot/00-quadraxis-rebooted'))).toBe(false);
  });

  test('a script that cannot be unpacked is reported as exit 125 and powers off too', async () => {
    await writeFile(root.path('not-a-dir'), '');
    const code = await root.run(wrap('#!/bin/sh\ntrue\n'), {
      shell,
      env: { QX_ROOT: root.path('not-a-dir') },
    });
    expect(code).toBe(125);
    expect(await root.read('dev', 'ttyS0')).toContain(doneMarker(NONCE, 125, 0));
    expect(await root.read('poweroff.log')).toBe('off\n');
  });

  test('any shebang runs its own interpreter; no shebang runs under sh', async () => {
    const node = `#!${process.execPath}\nconsole.log('from node', process.env.STAGE);\n`;
    expect(await root.run(wrap(node, { STAGE: 'x' }), { shell })).toBe(0);
    expect(await root.read('dev', 'ttyS0')).toContain('from node x\n');
    expect(await root.run(wrap('echo "plain $0"\n'), { shell })).toBe(0);
    expect(await root.read('dev', 'ttyS0')).toMatch(/plain .*init-script\n/);
  });

  test('while the script runs a per-boot hook waits to report a reboot; it is gone once the script has ended', async () => {
    const hook = root.path('var/lib/cloud/scripts/per-boot/00-quadraxis-rebooted');
    // The "reboot": the script keeps what the next boot would find.
    const script = `#!/bin/sh\ncp "${hook}" "$QX_ROOT/next-boot" && echo "hook mode $(stat -c %a "${hook}")"\n`;
    expect(await root.run(wrap(script), { shell })).toBe(0);
    expect(await root.read('dev', 'ttyS0')).toContain('hook mode 700\n');
    expect(await root.exists(hook)).toBe(false);

    // At the next boot cloud-init runs it: it says so on the consoles and powers the builder off.
    await writeFile(root.path('poweroff.log'), '');
    await writeFile(root.path('dev/ttyS0'), '');
    execFileSync('/bin/sh', [root.path('next-boot')]);
    expect(await root.read('dev', 'ttyS0')).toBe(`${rebootedMarker(NONCE)}\n`);
    expect(await root.read('dev', 'tty0')).toContain(`${rebootedMarker(NONCE)}\n`);
    expect(await root.read('poweroff.log')).toBe('off\n');
    expect(await root.exists(root.path('next-boot'))).toBe(false);
  });
});

describe('what a successful script leaves behind', () => {
  for (const cloudInitClean of [true, false]) {
    test(`cloudInitClean ${cloudInitClean}: no copy of the user data, its environment or the wrapper under /var/lib`, async () => {
      await root.cloudInit();
      // A copy under a name no list knows: found by the nonce it contains.
      await writeFile(root.instance('handlers-copy.bin'), `…${NONCE}…`);
      const script = '#!/bin/sh\necho "secret-ish value: $TOKEN"\n';
      expect(await root.run(wrap(script, { TOKEN: 'env-value-42' }, cloudInitClean))).toBe(0);
      expect(await root.read('dev', 'ttyS0')).toContain(cleanedMarker(NONCE));
      const left = execFileSync('find', [root.path('var/lib'), '-type', 'f'], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map((p) => p.slice(root.path('var/lib').length + 1));
      expect(left).toEqual([`cloud/instances/i-0123456789abcdef0/vendor-data.txt`]);
      const found = spawnSync(
        'grep',
        ['-rl', '-e', NONCE, '-e', 'env-value-42', '-e', 'ZW52LXZhbHVlLTQy', root.path('var/lib')],
        { encoding: 'utf8' },
      );
      expect(found.stdout).toBe('');
      const calls = await root.read('cloud-init.calls');
      expect(calls.includes('clean --logs')).toBe(cloudInitClean);
    });
  }

  test('what cannot be removed is reported and the success is not followed by "cleaned"', async () => {
    await root.cloudInit();
    await root.stub(
      'rm',
      'for a; do case "$a" in *obj.pkl) echo "rm: cannot remove $a" >&2; exit 1 ;; esac; done\nexec /bin/rm "$@"',
    );
    expect(await root.run(wrap('#!/bin/sh\ntrue\n'))).toBe(0);
    const text = await root.read('dev', 'ttyS0');
    expect(text).toContain(`[quadraxis:${NONCE}] not-cleaned `);
    expect(text).toContain('obj.pkl');
    expect(text).not.toContain(cleanedMarker(NONCE));
    expect(await root.read('poweroff.log')).toBe('off\n');
  });
});

describe('detached after success', () => {
  test('reports the exit code at once and returns; cleans and powers off only once cloud-init has finished', async () => {
    // cloud-init's final stage is still running until the test lets `status --wait` return.
    const gate = root.path('final-stage.fifo');
    execFileSync('mkfifo', [gate]);
    await root.cloudInit();
    await root.stub(
      'cloud-init',
      `echo "$*" >> "${root.path('cloud-init.calls')}"
case "$1 $2" in
  "status --help") echo "usage: cloud-init status [--long] [--wait]" ;;
  "status --wait") read -r line < "${gate}" ;;
esac`,
    );
    const { off: poweredOff } = await root.poweroffEvent();
    // Should the part not return (the test failing), the stand-in for cloud-init's stage is let go.
    onTestFinished(() => void execFile('timeout', ['2', 'sh', '-c', `echo > '${gate}'`], () => undefined));
    // The part returns while cloud-init still runs: cloud-init's final stage can finish.
    expect(await root.run(wrap('#!/bin/sh\necho "work done"\n'), { env: { QX_FOREGROUND: '0' } })).toBe(0);
    expect(await root.read('dev', 'ttyS0')).toBe(
      `${beginMarker(NONCE)}\nwork done\n${doneMarker(NONCE, 0, 0)}\n`,
    );
    expect(await root.exists(root.instance('user-data.txt'))).toBe(true);
    await writeFile(gate, 'final stage finished\n');
    expect(await poweredOff).toBe('off\n');
    expect(await root.read('dev', 'ttyS0')).toBe(
      `${beginMarker(NONCE)}\nwork done\n${doneMarker(NONCE, 0, 0)}\n${cleanedMarker(NONCE)}\nquadraxis: init script succeeded; powering off for imaging\n`,
    );
    expect(await root.exists(root.instance('user-data.txt'))).toBe(false);
  });
});
