import { expect, test } from 'vitest';
import { completionEstimate } from '../../../src/main/services/bake/progress-estimate';

test('nothing to go on while progress is 0 %', () => {
  expect(completionEstimate(0, [])).toBeUndefined();
  expect(completionEstimate(0, [{ at: 30_000, percent: 0 }])).toBeUndefined();
});

test('one reading: linear from CreateImage, from the middle of the whole percent', () => {
  // 9 % at 60 s: 9.5 % in 60 s, so the remaining 90.5 % take 60 * 90.5 / 9.5 s more.
  expect(completionEstimate(0, [{ at: 60_000, percent: 9 }])).toBeCloseTo(60_000 + (60_000 * 90.5) / 9.5);
});

test('a snapshot that sat at 0 % counts from its last 0 % reading', () => {
  const end = completionEstimate(0, [
    { at: 100_000, percent: 0 },
    { at: 200_000, percent: 0 },
    { at: 210_000, percent: 70 },
  ]);
  // 70 % in at most 10 s: a jump; the next reading will tell the real rate.
  expect(end).toBeCloseTo(210_000 + (29.5 * 10_000) / 70.5);
});

test('the rate is the recent one, over at least five percent', () => {
  const readings = [
    { at: 60_000, percent: 2 },
    { at: 240_000, percent: 20 },
    { at: 300_000, percent: 29 },
    { at: 310_000, percent: 31 },
  ];
  // 31 − 20 = 11 % in 70 s (31 − 29 = 2 % is too few to trust).
  expect(completionEstimate(0, readings)).toBeCloseTo(310_000 + (68.5 * 70_000) / 11);
});

test('a speeding-up (convex) curve: the recent rate ends far earlier than the average', () => {
  const progress = (s: number) => Math.floor(100 * (s / 600) ** 1.5);
  const readings = [60, 200, 400].map((s) => ({ at: s * 1000, percent: progress(s) }));
  const fromStart = completionEstimate(0, readings.slice(-1))!;
  const recent = completionEstimate(0, readings)!;
  expect(recent).toBeLessThan(fromStart);
  // Still a little late (the rate keeps growing), which the schedule allows for by reading again half-way.
  expect(recent - 600_000).toBeGreaterThan(0);
  expect(recent - 600_000).toBeLessThan(0.15 * 600_000);
});
