import { expect, test } from 'vitest';
import { renderImageName } from '../../../src/main/services/bake/image-name';

const values = {
  project: 'web',
  bakeId: 'bk_0000000001abcdefghij',
  version: 7,
  at: Date.UTC(2026, 1, 3, 4, 5, 6),
};

test('fills every placeholder, dates in UTC', () => {
  expect(renderImageName('{project}-{yyyyMMdd-HHmmss}', values)).toBe('web-20260203-040506');
  expect(renderImageName('{project} v{version} ({yyyyMMdd}) {bakeId}', values)).toBe(
    'web v7 (20260203) bk_0000000001abcdefghij',
  );
});

test('unknown placeholders and names EC2 refuses are INVALID_INPUT with the reason', () => {
  expect(() => renderImageName('{project}-{branch}', values)).toThrowError(/unknown placeholder \{branch\}/);
  expect(() => renderImageName('{project}:{version}', values)).toThrowError(/does not allow ":"/);
  expect(() => renderImageName('ab', { ...values, project: 'x' })).toThrowError(/3–128/);
  expect(() => renderImageName(`{project}-${'x'.repeat(130)}`, values)).toThrowError(/134 characters/);
});
