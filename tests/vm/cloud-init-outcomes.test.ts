import { afterAll, beforeAll, describe, test } from 'vitest';
import {
  bake,
  dropImage,
  expectFilesFreed,
  expectFreshImage,
  expectNothingLeftOf,
  failureText,
  nonceOf,
  probeScript,
  relaunch,
  token,
  type VmWorld,
  vmWorld,
  waitForState,
} from './helpers';

/**
 * What cloud-init itself decides, on real VMs: a #cloud-config with a key cloud-init does not know ends in
 * warnings (a failed bake by default, "succeeded with warnings" when the project accepts them), and with
 * `cloudInitClean: false` the image keeps cloud-init's record of the builder's boot but nothing of its user
 * data, environment or wrapper (with `true`, the default, see script-bakes: nothing of that boot at all).
 */
let world: VmWorld;
beforeAll(async () => {
  world = await vmWorld('vm-cloud-init-outcomes');
});
afterAll(async () => {
  await world?.close();
});

/**
 * A #cloud-config with two misspelled keys. `contnet` in a write_files entry: cloud-init ignores the key (the
 * file gets no content) and reports a schema error (every version with schema validation). `pakages` at the
 * top level: cloud-init before 23.4, Debian 12's 22.4 among them, ignores it without a word (`cloud-init
 * schema --system` calls such a config valid), so the engine names it itself.
 */
function misspelledConfig(configToken: string): string {
  return [
    '#cloud-config',
    `# ${configToken}`,
    'pakages: [less]',
    'write_files:',
    '  - path: /opt/qx/written.txt',
    '    content: written as asked',
    '  - path: /opt/qx/misspelled.txt',
    '    contnet: never written',
    '',
  ].join('\n');
}

describe.concurrent('on real VMs', () => {
  test('a #cloud-config with a misspelled key fails the bake by default, with cloud-init’s warning, and leaves nothing', async ({
    expect,
  }) => {
    const record = await bake(world, {
      name: 'vm-warnings-fail',
      initScript: misspelledConfig(token('config')),
    });
    expect(record.status).toBe('failed');
    expect(record.error?.message).toMatch(/cloudConfigWarnings: fail/);
    const warnings = (record.warnings ?? []).map((w) => w.message).join('\n');
    expect(warnings, failureText(record)).toContain("'contnet' was unexpected");
    expect(warnings, failureText(record)).toContain('“pakages” is not a cloud-config key');
    await waitForState(world, record.instanceId!, ['terminated'], 60_000);
    expectNothingLeftOf(world, record);
  });

  test('a #cloud-config with a misspelled key accepted, cloudInitClean false: succeeded with warnings, no user data in the image', async ({
    expect,
  }) => {
    const configToken = token('config');
    const record = await bake(world, {
      name: 'vm-warnings-accept',
      initScript: misspelledConfig(configToken),
      completion: {
        mode: 'wrapper',
        timeoutMinutes: 20,
        cloudInitClean: false,
        cloudConfigWarnings: 'accept',
      },
    });
    expect(record.status, failureText(record)).toBe('succeeded');
    const warnings = (record.warnings ?? []).map((w) => w.message).join('\n');
    expect(warnings).toContain("'contnet' was unexpected");
    expect(warnings).toContain('“pakages” is not a cloud-config key');
    const builder = record.instanceId!;
    const report = await relaunch(
      world,
      record.imageId!,
      probeScript({
        builder,
        stat: ['/opt/qx/written.txt', '/opt/qx/misspelled.txt'],
        files: ['/opt/qx/written.txt', '/opt/qx/misspelled.txt'],
        tokens: [nonceOf(world, builder), configToken],
      }),
    );
    expect(report.file('/opt/qx/written.txt')).toBe('written as asked');
    expect(report.stat('/opt/qx/written.txt')).toBe('/opt/qx/written.txt 644 root:root');
    // What the warning was about: the half-done configuration the project chose to accept.
    expect(report.file('/opt/qx/misspelled.txt')).toBe('');
    expectFreshImage(report, builder, { cloudInitClean: false });
    await dropImage(world, record);
    expectFilesFreed(world, record);
  });

  test('a script with cloudInitClean false: the image keeps cloud-init’s logs but no user data, environment or wrapper', async ({
    expect,
  }) => {
    const scriptToken = token('script');
    const envToken = token('env');
    const record = await bake(world, {
      name: 'vm-no-clean',
      env: { STAGE: envToken },
      completion: { mode: 'wrapper', timeoutMinutes: 20, cloudInitClean: false },
      initScript: [
        '#!/bin/bash',
        'set -eu',
        `# ${scriptToken}`,
        'mkdir -p /opt/kept',
        'test -n "$STAGE" && echo ok > /opt/kept/ok',
        '',
      ].join('\n'),
    });
    expect(record.status, failureText(record)).toBe('succeeded');
    const builder = record.instanceId!;
    const report = await relaunch(
      world,
      record.imageId!,
      probeScript({
        builder,
        stat: ['/opt/kept/ok'],
        tokens: [nonceOf(world, builder), scriptToken, envToken],
      }),
    );
    expect(report.stat('/opt/kept/ok')).toBe('/opt/kept/ok 644 root:root');
    expectFreshImage(report, builder, { cloudInitClean: false });
    await dropImage(world, record);
    expectFilesFreed(world, record);
  });
});
