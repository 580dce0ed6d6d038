import { expect, test } from 'vitest';
import { describeEvent, describeOutcome, finishedBakeNotice } from '../../../src/main/services/bake';
import { T0, bakeRecord } from '../../helpers/bake-record';

/**
 * Which named environment a bake is for, in the words the CLI and the desktop notice use (issue 18): the
 * first and last lines of `quadraxis bake`, and the notice when a bake ends. A bake of the project's own
 * values says nothing extra.
 */
const ID = 'bk_00000000000000000001';
const prod = { environment: 'prod' } as const;
const ended = { startedAt: T0, endedAt: T0 + 42_000, simulated: false } as const;

test('the header a bake starts with names its environment', () => {
  const created = (more = {}) =>
    describeEvent({ type: 'created', bakeId: ID, seq: 1, at: T0, record: bakeRecord(ID, 'web', more) });
  expect(created(prod)).toEqual([`Bake ${ID}: web (environment prod) with profile sandbox in eu-west-1`]);
  expect(created()).toEqual([`Bake ${ID}: web with profile sandbox in eu-west-1`]);
});

test('the outcome line names the environment: success, failure and cancel alike', () => {
  const succeeded = bakeRecord(ID, 'web', {
    ...ended,
    status: 'succeeded',
    imageId: 'ami-0123',
    imageName: 'web-1',
    version: 3,
  });
  expect(describeOutcome({ ...succeeded, ...prod })).toBe(
    'Succeeded in 42 s (environment prod): ami-0123 "web-1", version 3',
  );
  expect(describeOutcome(succeeded)).toBe('Succeeded in 42 s: ami-0123 "web-1", version 3');

  const failed = bakeRecord(ID, 'web', {
    ...ended,
    ...prod,
    status: 'failed',
    message: 'The init script failed with exit code 3.',
    cleanedUp: ['terminated i-1'],
  });
  expect(describeOutcome(failed)).toBe(
    'Failed in 42 s (environment prod): The init script failed with exit code 3. Cleaned up: terminated i-1.',
  );
  expect(describeOutcome({ ...failed, status: 'cancelled', message: 'The bake was cancelled.' })).toMatch(
    /^Cancelled in 42 s \(environment prod\): The bake was cancelled\./,
  );
  expect(describeOutcome({ ...failed, environment: undefined })).toMatch(/^Failed in 42 s: The init/);
});

test('the desktop notice when a bake ends names the environment in its title', () => {
  const done = bakeRecord(ID, 'web', { ...ended, ...prod, status: 'succeeded', imageId: 'ami-0123' });
  expect(finishedBakeNotice(done)).toEqual({
    title: 'Bake of web (prod) finished',
    body: 'ami-0123 in eu-west-1',
  });
  expect(finishedBakeNotice({ ...done, environment: undefined }).title).toBe('Bake of web finished');
  const failed = { ...done, status: 'failed' as const, message: 'The init script failed with exit code 3.' };
  expect(finishedBakeNotice(failed)).toEqual({
    title: 'Bake of web (prod) failed',
    body: 'The init script failed with exit code 3.',
  });
});
