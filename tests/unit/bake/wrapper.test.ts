import { execFile, execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { buildCloudInitWrapper, buildScriptWrapper } from '../../../src/main/services/bake/wrapper';
import { buildUserData } from '../../../src/main/services/bake/user-data';
import { beginMarker, doneMarker, inspectUserData, splitMultipart } from '../../../src/protocol/user-data';
import { project } from './fixtures';

/**
 * The wrapper really runs here, under the system's POSIX sh (dash), in a temporary root: the console, the
 * poweroff command and cloud-init's directory are stand-ins reached only through QX_CONSOLE, QX_POWEROFF and
 * QX_ROOT, whose production defaults are /dev/console, poweroff and /.
 */
const NONCE = '0123456789abcdef0123456789abcdef';
const BAKE = 'bk_00000000000000000000';
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'qx-wrapper-'));
  await mkdir(join(root, 'bin'));
  const instance = join(root, 'var/lib/cloud/instances/i-0123456789abcdef0');
  await mkdir(join(instance, 'scripts'), { recursive: true });
  for (const name of ['user-data.txt', 'user-data.txt.i', 'obj.pkl', 'vendor-data.txt'])
    await writeFile(join(instance, name), 'secret-ish');
  await script('poweroff', `echo off >> "${root}/poweroff.log"`);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function script(name: string, body: string): Promise<void> {
  const path = join(root, 'bin', name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
}

const partPath = () => join(root, 'var/lib/cloud/instances/i-0123456789abcdef0/scripts/part-001');
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
const read = (path: string) => readFile(path, 'utf8').catch(() => '');

/** Runs the wrapper as cloud-init would: from its part file, as a script. */
async function run(wrapper: string, extraEnv: Record<string, string> = {}): Promise<number> {
  await writeFile(partPath(), wrapper, { mode: 0o700 });
  return new Promise((resolve) => {
    const child = execFile('/bin/sh', [partPath()], {
      env: {
        PATH: `${join(root, 'bin')}:/usr/bin:/bin`,
        QX_ROOT: root,
        QX_CONSOLE: join(root, 'console'),
        QX_POWEROFF: join(root, 'bin', 'poweroff'),
        ...extraEnv,
      },
    });
    child.on('exit', (code) => resolve(code ?? -1));
  });
}

const wrap = (userScript: string, env: Record<string, string> = {}, cloudInitClean = true) =>
  buildScriptWrapper({ bakeId: BAKE, nonce: NONCE, cloudInitClean, script: userScript, env });

describe('script mode', () => {
  test('success: runs the script with its env, reports exit 0, cleans up and powers off', async () => {
    await script('cloud-init', `echo "$@" >> "${root}/cloud-init.log"`);
    const env = { GREETING: 'wörld "quoted" $HOME `tick`', MULTI: 'line one\nline two\n', EMPTY: '' };
    const code = await run(
      wrap(
        '#!/bin/sh\necho "hello $GREETING"\nprintf "[%s]\\n" "$MULTI"\necho "empty=[$EMPTY] pwd=$(pwd)"\n',
        env,
      ),
    );
    expect(code).toBe(0);
    const console = await read(join(root, 'console'));
    const lines = console.split('\n');
    expect(lines[0]).toBe(beginMarker(NONCE));
    expect(console).toContain('hello wörld "quoted" $HOME `tick`\n');
    expect(console).toContain('[line one\nline two\n]\n');
    expect(console).toContain('empty=[] pwd=/\n');
    expect(lines.indexOf(doneMarker(NONCE, 0))).toBeGreaterThan(0);
    expect(await read(join(root, 'poweroff.log'))).toBe('off\n');
    expect(await read(join(root, 'cloud-init.log'))).toBe('clean --logs\n');
    const instance = join(root, 'var/lib/cloud/instances/i-0123456789abcdef0');
    for (const gone of ['user-data.txt', 'user-data.txt.i', 'obj.pkl', 'scripts/part-001'])
      expect(await exists(join(instance, gone))).toBe(false);
    expect(await exists(join(instance, 'vendor-data.txt'))).toBe(true);
    expect(await exists(join(root, 'var/lib/quadraxis'))).toBe(false);
  });

  test('failure: reports the exit code after the output, then powers off without cleaning up', async () => {
    await script('cloud-init', `echo "$@" >> "${root}/cloud-init.log"`);
    const code = await run(wrap('#!/bin/sh\necho "about to fail" >&2\nexit 3\n'));
    expect(code).toBe(3);
    const console = await read(join(root, 'console'));
    expect(console).toContain('about to fail\n');
    expect(console.indexOf(`${doneMarker(NONCE, 3)}\n`)).toBeGreaterThan(console.indexOf('about to fail'));
    // Protocol version 2: the builder goes down whatever the outcome; nothing is imaged, so nothing is cleaned.
    expect(console).toContain('quadraxis: init script failed (exit 3); powering off\n');
    expect(await read(join(root, 'poweroff.log'))).toBe('off\n');
    expect(await exists(partPath())).toBe(true);
    expect(await exists(join(root, 'cloud-init.log'))).toBe(false);
  });

  test('a script that cannot be unpacked is reported as exit 125 and powers off too', async () => {
    // A root that is a file: the work directory under it cannot be made.
    await writeFile(join(root, 'not-a-dir'), '');
    const code = await run(wrap('#!/bin/sh\ntrue\n'), { QX_ROOT: join(root, 'not-a-dir') });
    expect(code).toBe(125);
    expect(await read(join(root, 'console'))).toContain(doneMarker(NONCE, 125));
    expect(await read(join(root, 'poweroff.log'))).toBe('off\n');
  });

  test('any shebang runs its own interpreter; no shebang runs under sh', async () => {
    expect(
      await run(
        wrap(`#!${process.execPath}\nconsole.log('from node', process.env.STAGE);\n`, { STAGE: 'x' }),
      ),
    ).toBe(0);
    expect(await read(join(root, 'console'))).toContain('from node x\n');
    await rm(join(root, 'console'));
    expect(await run(wrap('echo "plain $0"\n'))).toBe(0);
    expect(await read(join(root, 'console'))).toMatch(/plain .*init-script\n/);
  });

  test('cloudInitClean false keeps cloud-init state but still removes the user data copies', async () => {
    await script('cloud-init', `echo "$@" >> "${root}/cloud-init.log"`);
    expect(await run(wrap('#!/bin/sh\ntrue\n', {}, false))).toBe(0);
    expect(await exists(join(root, 'cloud-init.log'))).toBe(false);
    expect(await exists(join(root, 'var/lib/cloud/instances/i-0123456789abcdef0/user-data.txt'))).toBe(false);
  });

  test('what the wrapper embeds is what the completion protocol reads back', () => {
    const built = buildUserData({ bakeId: BAKE, nonce: NONCE, project: project({ env: { A: '1 2' } }) });
    const info = inspectUserData(Buffer.from(built.base64, 'base64'));
    expect(info.wrapper).toMatchObject({ bakeId: BAKE, nonce: NONCE, mode: 'script', env: { A: '1 2' } });
    expect(info.wrapper?.userScript).toBe(project().initScript);
    // The markers are assembled on the machine: a script echoing its own user data cannot fake completion.
    expect(info.text).not.toContain(beginMarker(NONCE));
    expect(info.text).not.toContain(`[quadraxis:${NONCE}] done`);
  });
});

describe('cloud-init mode', () => {
  async function cloudInit(statusCode: number) {
    await script(
      'cloud-init',
      `case "$1 $2" in
  "status --help") echo "usage: cloud-init status [--long] [--wait]" ;;
  "status --wait") exit ${statusCode} ;;
  *) echo "$@" >> "${root}/cloud-init.log" ;;
esac`,
    );
  }

  function wrapperPart(): string {
    const built = buildUserData({
      bakeId: BAKE,
      nonce: NONCE,
      project: project({ initScript: '#cloud-config\nruncmd:\n  - echo hi\n', env: {} }),
    });
    const parts = splitMultipart(Buffer.from(built.base64, 'base64').toString('utf8'));
    expect(parts?.map((p) => p.contentType)).toEqual(['text/cloud-config', 'text/x-shellscript']);
    expect(parts?.[0]?.body).toBe('#cloud-config\nruncmd:\n  - echo hi');
    return parts![1]!.body;
  }

  test('hands over to a detached copy that waits for cloud-init, then cleans and powers off', async () => {
    await cloudInit(0);
    execFileSync('mkfifo', [join(root, 'off.fifo')]);
    await script('poweroff', `echo off > "${root}/off.fifo"`);
    const poweredOff = new Promise<string>((resolve) => {
      let text = '';
      createReadStream(join(root, 'off.fifo'), 'utf8')
        .on('data', (chunk) => (text += String(chunk)))
        .on('end', () => resolve(text));
    });
    // The foreground part returns at once, so cloud-init's final stage can finish.
    expect(await run(wrapperPart())).toBe(0);
    expect(await poweredOff).toBe('off\n');
    const console = await read(join(root, 'console'));
    expect(console).toBe(
      `${beginMarker(NONCE)}\n${doneMarker(NONCE, 0)}\nquadraxis: init script succeeded; powering off for imaging\n`,
    );
    expect(await read(join(root, 'cloud-init.log'))).toBe('clean --logs\n');
  });

  test('a cloud-init error is reported as the exit code; recoverable errors count as success', async () => {
    await cloudInit(1);
    expect(await run(wrapperPart(), { QX_DETACHED: '1' })).toBe(1);
    expect(await read(join(root, 'console'))).toContain(doneMarker(NONCE, 1));
    expect(await read(join(root, 'poweroff.log'))).toBe('off\n');
    expect(await read(join(root, 'cloud-init.log'))).toBe('');

    await rm(join(root, 'console'));
    await rm(join(root, 'poweroff.log'));
    await cloudInit(2);
    expect(await run(wrapperPart(), { QX_DETACHED: '1' })).toBe(0);
    const console = await read(join(root, 'console'));
    expect(console).toContain('recoverable errors');
    expect(console).toContain(doneMarker(NONCE, 0));
    expect(await read(join(root, 'poweroff.log'))).toBe('off\n');
  });

  test('the cloud-init wrapper carries the protocol header', () => {
    const text = buildCloudInitWrapper({ bakeId: BAKE, nonce: NONCE, cloudInitClean: true });
    expect(inspectUserData(Buffer.from(text)).wrapper).toMatchObject({
      mode: 'cloud-init',
      nonce: NONCE,
      bakeId: BAKE,
    });
  });
});
