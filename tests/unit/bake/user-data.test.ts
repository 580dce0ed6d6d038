import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { expect, test } from 'vitest';
import {
  buildUserData,
  measureUserData,
  USER_DATA_LIMIT_BYTES,
} from '../../../src/main/services/bake/user-data';
import { beginMarker } from '../../../src/protocol/markers';
import { inspectUserData, wrapperHeader } from '../../../src/protocol/user-data';
import { AppError } from '../../../src/shared/result';
import { project } from './fixtures';
import { realisticShellScript } from './shell-corpus';

const ids = { bakeId: 'bk_00000000000000000000', nonce: 'ab'.repeat(16) };
const decode = (b64: string) => Buffer.from(b64, 'base64');

test('a small script travels as plain base64 of the wrapper', () => {
  const built = buildUserData({ ...ids, project: project() });
  expect(built).toMatchObject({ mode: 'script', gzipped: false });
  expect(built.bytes).toBe(built.rawBytes);
  expect(decode(built.base64).toString('utf8')).toMatch(/^#!\/bin\/sh\n# quadraxis-wrapper: 3\n/);
});

test('over 16 KB the user data is gzipped (cloud-init reads gzip) and still parses back', () => {
  // Repetitive text compresses well: realistic for long scripts.
  const body = Array.from({ length: 900 }, (_, i) => `echo "configuring item ${i % 40}"`).join('\n');
  const built = buildUserData({ ...ids, project: project({ initScript: `#!/bin/sh\n${body}\n` }) });
  expect(built.rawBytes).toBeGreaterThan(USER_DATA_LIMIT_BYTES);
  expect(built.gzipped).toBe(true);
  expect(built.bytes).toBeLessThanOrEqual(USER_DATA_LIMIT_BYTES);
  const bytes = decode(built.base64);
  expect(gunzipSync(bytes).length).toBe(built.rawBytes);
  expect(inspectUserData(bytes).wrapper?.userScript).toContain('configuring item 39');
});

test('too big even gzipped is a clear INVALID_INPUT', () => {
  const noise = randomBytes(20_000).toString('base64');
  const attempt = () =>
    buildUserData({ ...ids, project: project({ initScript: `#!/bin/sh\necho ${noise}\n` }) });
  expect(attempt).toThrowError(AppError);
  expect(attempt).toThrowError(/EC2 accepts at most 16 KB/);
});

test('#cloud-config goes beside the wrapper in a MIME multipart document', () => {
  const built = buildUserData({
    ...ids,
    project: project({ initScript: '#cloud-config\npackages: [nginx]\n', env: {} }),
  });
  const info = inspectUserData(decode(built.base64));
  expect(built.mode).toBe('cloud-init');
  expect(info.kind).toBe('multipart');
  expect(info.cloudConfig).toBe('#cloud-config\npackages: [nginx]');
  expect(info.wrapper).toMatchObject({ mode: 'cloud-init', nonce: ids.nonce });
  // Nothing that changes per bake after the wrapper's head: the boundary comes from the config's hash.
  expect(info.text.indexOf(ids.nonce, info.text.indexOf(`QX_NONCE='`) + 20)).toBe(-1);
});

test('env with #cloud-config, and unwrappable formats, are refused with the reason', () => {
  expect(() => buildUserData({ ...ids, project: project({ initScript: '#cloud-config\n' }) })).toThrowError(
    /env:/,
  );
  expect(() =>
    buildUserData({ ...ids, project: project({ initScript: '#include\nhttps://example.com/x\n' }) }),
  ).toThrowError(/completion mode "wait"/);
});

test('completion mode "wait" sends the script exactly as written', () => {
  const script = '#include\nhttps://example.com/setup\n';
  const built = buildUserData({
    ...ids,
    project: project({ initScript: script, completion: { mode: 'wait', seconds: 60 } }),
  });
  expect(built.mode).toBe('raw');
  expect(decode(built.base64).toString('utf8')).toBe(script);
});

test('the script travels verbatim, and what the wrapper embeds is what the protocol reads back', () => {
  for (const initScript of [
    '#!/bin/bash\necho "$HOME" \'single\' `tick` \\\nQX_ENV_END\nEOF\n',
    '#!/usr/bin/env python3\nprint("no newline at the end")',
    '',
  ]) {
    const built = buildUserData({ ...ids, project: project({ initScript, env: { A: '1 2', B: 'x\ny' } }) });
    const text = decode(built.base64).toString('utf8');
    if (initScript !== '') expect(text).toContain(initScript);
    const info = inspectUserData(decode(built.base64));
    expect(info.wrapper).toMatchObject({ bakeId: ids.bakeId, nonce: ids.nonce, version: 3, mode: 'script' });
    expect(info.wrapper?.userScript).toBe(initScript);
    expect(info.wrapper?.env).toEqual({ A: '1 2', B: 'x\ny' });
    // The environment stays encoded: a value is not in the user data as written.
    expect(text).not.toContain('x\ny');
    // The markers are assembled on the machine, so a script printing its user data does not print one.
    expect(text).not.toContain(beginMarker(ids.nonce));
  }
});

test('a builder launched by an older Quadraxis (base64, version 2) still reads back', () => {
  const text = [
    wrapperHeader({ bakeId: ids.bakeId, nonce: ids.nonce, mode: 'script', version: 2 }),
    `QX_SCRIPT_B64='${Buffer.from('#!/bin/sh\necho old\n').toString('base64')}'`,
    `QX_ENV_B64='${Buffer.from(`STAGE=${Buffer.from('prod').toString('base64')}`).toString('base64')}'`,
  ].join('\n');
  expect(inspectUserData(Buffer.from(text)).wrapper).toMatchObject({
    version: 2,
    userScript: '#!/bin/sh\necho old\n',
    env: { STAGE: 'prod' },
  });
});

test('the largest realistic shell script that fits is over 40 KB', () => {
  const corpus = realisticShellScript(80_000);
  const lines = corpus.split('\n');
  const prefix = (n: number) => `${lines.slice(0, n).join('\n')}\n`;
  const fits = (n: number) =>
    measureUserData(project({ initScript: prefix(n), env: { STAGE: 'prod' } })).gzipBytes <=
    USER_DATA_LIMIT_BYTES;
  let lo = 1;
  let hi = lines.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  const largest = Buffer.byteLength(prefix(lo));
  // The corpus is as compressible as real scripts are, not more.
  const ratio = largest / gzipSync(prefix(lo), { level: 9 }).length;
  expect(ratio).toBeGreaterThan(2.8);
  expect(ratio).toBeLessThan(3.8);
  expect(largest).toBeGreaterThanOrEqual(40 * 1024);
  // …and the engine agrees: it builds that one and refuses the next line.
  expect(() =>
    buildUserData({ ...ids, project: project({ initScript: prefix(lo), env: { STAGE: 'prod' } }) }),
  ).not.toThrow();
  expect(() =>
    buildUserData({ ...ids, project: project({ initScript: prefix(lo + 40), env: { STAGE: 'prod' } }) }),
  ).toThrowError(/at most 16 KB/);
  console.info(
    `largest shell script that fits: ${(largest / 1024).toFixed(1)} KB (gzip ratio ${ratio.toFixed(2)})`,
  );
});

test('what is sent depends on the bake id and nonce only through their length: the meter measures it exactly', () => {
  const initScript = realisticShellScript(30_000);
  const sizes = new Set<number>();
  for (let i = 0; i < 4; i++) {
    const built = buildUserData({
      bakeId: `bk_${randomBytes(10).toString('hex')}`,
      nonce: randomBytes(16).toString('hex'),
      project: project({ initScript }),
    });
    expect(built.gzipped).toBe(true);
    sizes.add(built.bytes);
    expect(gunzipSync(decode(built.base64)).length).toBe(built.rawBytes);
  }
  expect([...sizes]).toEqual([measureUserData(project({ initScript })).gzipBytes]);
});

test('a NUL byte, and Windows user data, are refused with the reason', () => {
  expect(() =>
    buildUserData({ ...ids, project: project({ initScript: '#!/bin/sh\necho a\nx\0y\n' }) }),
  ).toThrowError(/line 3 contains a NUL byte/);
  for (const windows of [
    '<powershell>\nInstall-WindowsFeature Web-Server\n</powershell>',
    '<script>echo hi</script>',
  ]) {
    expect(() => buildUserData({ ...ids, project: project({ initScript: windows }) })).toThrowError(
      /Windows user data/,
    );
  }
});
