import { expect, test } from 'vitest';
import type { OwnImage } from '../../../src/main/services/delivery/retention/inventory';
import { decide, type KnownBake } from '../../../src/main/services/delivery/retention/rules';

/**
 * Retention ranks each environment's images on their own (issue 16 × issue 18): a team that bakes dev ten
 * times a day must not lose its prod rollback images to "keep the newest N".
 */
const REGION = 'us-east-1';
const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T12:00:00Z');

let serial = 0;
/** One available image per call, each newer than the last (bake ids sort by time). */
function image(environment: string | undefined, more: Partial<OwnImage> = {}): OwnImage {
  serial++;
  const id = String(serial).padStart(3, '0');
  return {
    region: REGION,
    imageId: `ami-${id}`,
    name: `web-${id}`,
    state: 'available',
    createdAt: NOW - 100 * DAY + serial * 3_600_000,
    bakeId: `20260101-${id}`,
    snapshotIds: [`snap-${id}`],
    deprecated: false,
    ...(environment !== undefined ? { environment } : {}),
    ...more,
  };
}

/** As the inventory hands them over: newest first. */
const newestFirst = (images: OwnImage[]) => [...images].reverse();
const verdicts = (
  images: OwnImage[],
  rules: Parameters<typeof decide>[1],
  versions: ReadonlyMap<string, KnownBake> = new Map(),
) =>
  decide(newestFirst(images), rules, new Map(), NOW, versions).map((i) => ({
    imageId: i.imageId,
    environment: i.environment ?? '-',
    action: i.action,
    reasons: i.reasons.join('; '),
  }));

test('ten dev bakes do not push prod images out of "the newest 3": each environment is ranked on its own', () => {
  const prod = [image('prod'), image('prod'), image('prod'), image('prod')];
  const dev = Array.from({ length: 10 }, () => image('dev'));
  const plan = verdicts([...prod, ...dev], { keep: 3, pruneAfterBake: false });
  const of = (id: string) => plan.find((p) => p.imageId === id)!;
  // The three newest prod images stay although ten dev images are newer; the oldest prod one goes.
  expect(prod.map((p) => of(p.imageId).action)).toEqual(['deregister', 'keep', 'keep', 'keep']);
  expect(of(prod[3]!.imageId).reasons).toBe(`one of the newest 3 of environment prod in ${REGION} (#1)`);
  expect(of(prod[1]!.imageId).reasons).toBe(`one of the newest 3 of environment prod in ${REGION} (#3)`);
  expect(of(prod[0]!.imageId).reasons).toBe('not among the newest 3 of environment prod (#4); not in use');
  expect(dev.map((d) => of(d.imageId).action)).toEqual([
    ...Array<string>(7).fill('deregister'),
    ...Array<string>(3).fill('keep'),
  ]);
  expect(of(dev[9]!.imageId)).toMatchObject({ environment: 'dev' });
  expect(of(dev[6]!.imageId).reasons).toBe('not among the newest 3 of environment dev (#4); not in use');
});

test('age never empties an environment: the newest image of each environment in a region is always kept', () => {
  const images = [
    image('prod'),
    image('prod'),
    image('staging'),
    image('dev'),
    image('dev'),
    image(undefined),
  ];
  const plan = verdicts(images, { maxAgeDays: 30, pruneAfterBake: false });
  expect(plan.map((p) => [p.imageId, p.environment, p.action])).toEqual([
    [images[5]!.imageId, '-', 'keep'],
    [images[4]!.imageId, 'dev', 'keep'],
    [images[3]!.imageId, 'dev', 'deregister'],
    [images[2]!.imageId, 'staging', 'keep'],
    [images[1]!.imageId, 'prod', 'keep'],
    [images[0]!.imageId, 'prod', 'deregister'],
  ]);
  expect(plan[1]!.reasons).toBe(`the newest image of environment dev in ${REGION} is always kept`);
  expect(plan[3]!.reasons).toBe(`the newest image of environment staging in ${REGION} is always kept`);
  expect(plan[0]!.reasons).toBe(`the newest image without an environment in ${REGION} is always kept`);
  expect(plan[5]!.reasons).toMatch(/^older than 30 days \(\d+ days\); not in use$/);
});

test('images baked before the environment tag existed are grouped by what their version recorded', () => {
  // Old prod images carry no tag; only the local versions know they were prod.
  const oldProd = [image(undefined), image(undefined)];
  const dev = [image('dev'), image('dev'), image('dev')];
  const versions = new Map<string, KnownBake>([
    [oldProd[0]!.bakeId, { version: 1, environment: 'prod' }],
    [oldProd[1]!.bakeId, { version: 2, environment: 'prod' }],
    [dev[0]!.bakeId, { version: 3, environment: 'dev' }],
  ]);
  const plan = decide(
    newestFirst([...oldProd, ...dev]),
    { keep: 2, pruneAfterBake: false },
    new Map(),
    NOW,
    versions,
  );
  const of = (i: OwnImage) => plan.find((p) => p.imageId === i.imageId)!;
  expect(oldProd.map((i) => [of(i).environment, of(i).version, of(i).action])).toEqual([
    ['prod', 1, 'keep'],
    ['prod', 2, 'keep'],
  ]);
  expect(of(oldProd[1]!).reasons).toEqual([`one of the newest 2 of environment prod in ${REGION} (#1)`]);
  expect(dev.map((i) => of(i).action)).toEqual(['deregister', 'keep', 'keep']);
  // The tag on the image wins over what the version says.
  const tagged = image('staging');
  const relabelled = decide(
    [tagged],
    { keep: 1, pruneAfterBake: false },
    new Map(),
    NOW,
    new Map([[tagged.bakeId, { version: 9, environment: 'dev' }]]),
  );
  expect(relabelled[0]).toMatchObject({ environment: 'staging', version: 9 });
});

test("the project's own values are a group of their own, named as such; a region without environments reads as before", () => {
  const own = [image(undefined), image(undefined), image(undefined)];
  const prod = [image('prod')];
  const plan = verdicts([...own, ...prod], { keep: 2, pruneAfterBake: false });
  expect(plan.map((p) => [p.environment, p.action, p.reasons])).toEqual([
    ['prod', 'keep', `one of the newest 2 of environment prod in ${REGION} (#1)`],
    ['-', 'keep', `one of the newest 2 without an environment in ${REGION} (#1)`],
    ['-', 'keep', `one of the newest 2 without an environment in ${REGION} (#2)`],
    ['-', 'deregister', 'not among the newest 2 without an environment (#3); not in use'],
  ]);
  // No image of the region names an environment: the whole region is one group, in the words it always had.
  const plain = verdicts([image(undefined), image(undefined)], { keep: 1, pruneAfterBake: false });
  expect(plain.map((p) => [p.environment, p.action, p.reasons])).toEqual([
    ['-', 'keep', `one of the newest 1 in ${REGION} (#1)`],
    ['-', 'deregister', 'not among the newest 1 (#2); not in use'],
  ]);
});
