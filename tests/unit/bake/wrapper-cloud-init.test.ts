import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { buildUserData } from '../../../src/main/services/bake/user-data';
import { beginMarker, cleanedMarker, doneMarker, warningMarker } from '../../../src/protocol/markers';
import { inspectUserData, splitMultipart } from '../../../src/protocol/user-data';
import { project } from './fixtures';
import { BAKE, NONCE, WrapperRoot } from './wrapper-root';

/** Cloud-init mode, run for real under dash and bash, with a stand-in cloud-init that answers as 22–24 do. */
let root: WrapperRoot;

beforeEach(async () => {
  root = await WrapperRoot.create();
  await root.consoles(['ttyS0'], ['ttyS0']);
  for (const name of ['user-data.txt', 'user-data.txt.i', 'obj.pkl'])
    await writeFile(root.instance(name), `copy with the nonce ${NONCE}`);
  await writeFile(root.instance('cloud-config.txt'), '#cloud-config\npackages: [nginx]\n');
  await writeFile(root.instance('scripts/runcmd'), '#!/bin/sh\necho hi\n');
  await writeFile(root.instance('vendor-data.txt'), 'the platform’s own');
});

afterEach(async () => root.close());

const CONFIG = '#cloud-config\npakages: [nginx]\nruncmd:\n  - echo hi\n';

function wrapperPart(cloudInitClean = true): string {
  const built = buildUserData({
    bakeId: BAKE,
    nonce: NONCE,
    project: project({
      initScript: CONFIG,
      env: {},
      completion: { mode: 'wrapper', timeoutMinutes: 30, cloudInitClean },
    }),
  });
  const parts = splitMultipart(Buffer.from(built.base64, 'base64').toString('utf8'));
  expect(parts?.map((p) => p.contentType)).toEqual(['text/x-shellscript', 'text/cloud-config']);
  expect(parts?.[1]?.body).toBe(CONFIG.replace(/\n$/, ''));
  return parts![0]!.body;
}

const run = (shell = '/bin/sh') => root.run(wrapperPart(), { shell, part: 'quadraxis-wrapper.sh' });
const tag = `[quadraxis:${NONCE}]`;

/** What cloud-init 24.1 says about a misspelled top-level key (Ubuntu patches the exit code to 0). */
const DEGRADED = JSON.stringify({
  status: 'done',
  extended_status: 'degraded done',
  errors: [],
  recoverable_errors: {
    WARNING: [
      "Invalid cloud-config provided: Please run 'sudo cloud-init schema --system' to see the schema errors.",
    ],
  },
});
const SCHEMA = `Found cloud-config data types: user-data, network-config

1. user-data at /var/lib/cloud/instances/i-0123456789abcdef0/cloud-config.txt:
  Invalid user-data /var/lib/cloud/instances/i-0123456789abcdef0/cloud-config.txt
  Error: Cloud config schema errors: pakages: Additional properties are not allowed ('pakages' was unexpected)
`;

describe.each(['/bin/sh', '/bin/bash'])('cloud-init mode under %s', (shell) => {
  test('cloud-init’s recoverable errors are reported with cloud-init’s own list, whatever the exit code', async () => {
    for (const waitCode of [2, 0]) {
      await writeFile(root.path('dev/ttyS0'), '');
      await root.cloudInit({ waitCode, json: DEGRADED, schema: SCHEMA });
      expect(await root.run(wrapperPart(), { shell, part: 'quadraxis-wrapper.sh' })).toBe(0);
      expect(await root.read('dev', 'ttyS0')).toBe(
        [
          beginMarker(NONCE),
          warningMarker(
            NONCE,
            'WARNING',
            "Invalid cloud-config provided: Please run 'sudo cloud-init schema --system' to see the schema errors.",
          ),
          warningMarker(
            NONCE,
            'SCHEMA',
            "Cloud config schema errors: pakages: Additional properties are not allowed ('pakages' was unexpected)",
          ),
          doneMarker(NONCE, 0, 2),
          cleanedMarker(NONCE),
          'quadraxis: cloud-init finished; powering off for imaging',
          '',
        ].join('\n'),
      );
    }
  });

  test('a cloud-init error fails with its errors listed, nothing cleaned', async () => {
    await root.cloudInit({
      waitCode: 1,
      json: JSON.stringify({
        status: 'error',
        errors: ["('scripts_user', RuntimeError('Runparts: 1 failures (runcmd) in 1 attempted commands'))"],
        recoverable_errors: {},
      }),
    });
    expect(await root.run(wrapperPart(), { shell, part: 'quadraxis-wrapper.sh' })).toBe(0);
    const text = await root.read('dev', 'ttyS0');
    expect(text).toContain(`${tag} warning ERROR: ('scripts_user', RuntimeError('Runparts: 1 failures`);
    expect(text).toContain(doneMarker(NONCE, 1, 1));
    expect(text).not.toContain(cleanedMarker(NONCE));
    expect(await root.read('poweroff.log')).toBe('off\n');
    expect(await root.read('cloud-init.calls')).not.toContain('clean');
  });
});

test('exit 2 without a list still counts as a warning', async () => {
  await root.cloudInit({ waitCode: 2, json: '{"status": "done", "recoverable_errors": {}}' });
  expect(await run()).toBe(0);
  const text = await root.read('dev', 'ttyS0');
  expect(text).toContain(`${tag} warning WARNING: cloud-init finished with recoverable errors`);
  expect(text).toContain(doneMarker(NONCE, 0, 1));
});

test('before 23.4 (no recoverable_errors), the warnings cloud-init logged since this boot began', async () => {
  // cloud-init 22.4 as on Debian 12: no list in its status, and its schema errors on the line after "Error:".
  await root.cloudInit({
    json: '{"v1": {"errors": []}}',
    schema:
      "Error:\nCloud config schema errors: write_files.0: Additional properties are not allowed ('contnet' was unexpected)\n",
  });
  await writeFile(
    root.path('var/log/cloud-init.log'),
    [
      "2024-11-01 10:00:00,000 - util.py[DEBUG]: Cloud-init v. 22.4.2 running 'init-local' at Fri, 01 Nov 2024",
      '2024-11-01 10:00:01,000 - util.py[WARNING]: from a boot before this one',
      "2024-11-02 09:00:00,000 - util.py[DEBUG]: Cloud-init v. 22.4.2 running 'init-local' at Sat, 02 Nov 2024",
      '2024-11-02 09:00:03,123 - schema.py[WARNING]: Invalid cloud-config provided:',
      "write_files.0: Additional properties are not allowed ('contnet' was unexpected)",
      '2024-11-02 09:00:04,000 - cc_apt_configure.py[DEPRECATED]: Key apt_update is deprecated',
      '2024-11-02 09:00:05,000 - stages.py[DEBUG]: Running module runcmd',
    ].join('\n'),
  );
  expect(await run()).toBe(0);
  const text = await root.read('dev', 'ttyS0');
  expect(text).toContain(
    `${tag} warning WARNING: Invalid cloud-config provided: write_files.0: Additional properties are not allowed ('contnet' was unexpected)\n`,
  );
  expect(text).toContain(`${tag} warning DEPRECATED: Key apt_update is deprecated\n`);
  expect(text).toContain(
    `${tag} warning SCHEMA: Cloud config schema errors: write_files.0: Additional properties are not allowed ('contnet' was unexpected)\n`,
  );
  expect(text).not.toContain('from a boot before this one');
  expect(text).toContain(doneMarker(NONCE, 0, 3));
});

test('detaches at once; the copy waits for cloud-init, then cleans and powers off', async () => {
  await root.cloudInit();
  const { off } = await root.poweroffEvent();
  expect(await root.run(wrapperPart(), { part: 'quadraxis-wrapper.sh', env: { QX_FOREGROUND: '0' } })).toBe(
    0,
  );
  expect(await off).toBe('off\n');
  expect(await root.read('dev', 'ttyS0')).toBe(
    `${beginMarker(NONCE)}\n${doneMarker(NONCE, 0, 0)}\n${cleanedMarker(NONCE)}\nquadraxis: cloud-init finished; powering off for imaging\n`,
  );
  expect((await root.read('cloud-init.calls')).trim().split('\n').at(-1)).toBe('clean --logs');
});

test('cloudInitClean false: cloud-init’s state stays, the cloud-config and every copy of the user data do not', async () => {
  await root.cloudInit();
  expect(await root.run(wrapperPart(false), { part: 'quadraxis-wrapper.sh' })).toBe(0);
  expect(await root.read('cloud-init.calls')).not.toContain('clean');
  for (const gone of [
    'cloud-config.txt',
    'scripts/runcmd',
    'scripts/quadraxis-wrapper.sh',
    'user-data.txt',
    'obj.pkl',
  ])
    expect(await root.exists(root.instance(gone))).toBe(false);
  expect(await root.exists(root.instance('vendor-data.txt'))).toBe(true);
});

test('the cloud-init wrapper carries the protocol header', () => {
  expect(inspectUserData(Buffer.from(wrapperPart())).wrapper).toMatchObject({
    mode: 'cloud-init',
    nonce: NONCE,
    bakeId: BAKE,
    version: 3,
  });
});
