import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { expect, test } from 'vitest';
import { buildUserData, USER_DATA_LIMIT_BYTES } from '../../../src/main/services/bake/user-data';
import { inspectUserData } from '../../../src/protocol/user-data';
import { AppError } from '../../../src/shared/result';
import { project } from './fixtures';

const ids = { bakeId: 'bk_00000000000000000000', nonce: 'ab'.repeat(16) };
const decode = (b64: string) => Buffer.from(b64, 'base64');

test('a small script travels as plain base64 of the wrapper', () => {
  const built = buildUserData({ ...ids, project: project() });
  expect(built).toMatchObject({ mode: 'script', gzipped: false });
  expect(built.bytes).toBe(built.rawBytes);
  expect(decode(built.base64).toString('utf8')).toMatch(/^#!\/bin\/sh\n# quadraxis-wrapper: 2\n/);
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
