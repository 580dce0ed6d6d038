import { expect, test } from 'vitest';
import { ConsoleTail, longestSuffixPrefix } from '../../../src/main/services/bake/console-tail';

test('each snapshot yields only complete lines not seen before', () => {
  const tail = new ConsoleTail();
  expect(tail.push('boot 1\nboot 2\npart')).toEqual(['boot 1', 'boot 2']);
  expect(tail.push('boot 1\nboot 2\npartial done\nnext\n')).toEqual(['partial done', 'next']);
  expect(tail.push('boot 1\nboot 2\npartial done\nnext\n')).toEqual([]);
  expect(tail.tail()).toEqual(['boot 1', 'boot 2', 'partial done', 'next']);
});

test('a sliding 64 KB window (the start cut off) is matched on its overlap, and CRLF is normalised', () => {
  const tail = new ConsoleTail();
  tail.push('a\nb\nc\nd\n');
  expect(tail.push('c\r\nd\r\ne\r\n')).toEqual(['e']);
  // Nothing in common: everything is new (lines in between were lost to the window).
  expect(tail.push('x\ny\n')).toEqual(['x', 'y']);
});

test('repeated lines are not swallowed when the buffer simply grows', () => {
  const tail = new ConsoleTail();
  tail.push('same\nsame\n');
  expect(tail.push('same\nsame\nsame\n')).toEqual(['same']);
});

test('the tail keeps the last lines for error reports', () => {
  const tail = new ConsoleTail(3);
  tail.push(Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n') + '\n');
  expect(tail.tail()).toEqual(['line 7', 'line 8', 'line 9']);
});

test('longestSuffixPrefix', () => {
  expect(longestSuffixPrefix('abcab', 'abx')).toBe(2);
  expect(longestSuffixPrefix('abc', 'abc')).toBe(3);
  expect(longestSuffixPrefix('abc', 'xyz')).toBe(0);
  expect(longestSuffixPrefix('aaaa', 'aa')).toBe(2);
});

test('after a restart, the lines already kept are passed over once, where the console repeats them', () => {
  const tail = new ConsoleTail();
  tail.resumeAfter(['boot 1', 'installing', 'step 1']);
  expect(tail.tail()).toEqual(['boot 1', 'installing', 'step 1']);
  expect(tail.push('boot 1\ninstalling\nstep 1\nstep 2\n')).toEqual(['step 2']);
  expect(tail.push('boot 1\ninstalling\nstep 1\nstep 2\nstep 1\n')).toEqual(['step 1']);
  // Kept lines the console no longer holds (its window moved on): everything it has is new.
  const moved = new ConsoleTail();
  moved.resumeAfter(['gone 1', 'gone 2']);
  expect(moved.push('later\n')).toEqual(['later']);
});

test("a failure report ends at the script's done marker even after a real shutdown's hundreds of lines", () => {
  const tail = new ConsoleTail();
  const shutdown = Array.from(
    { length: 300 },
    (_, i) => `[\u001b[0;32m  OK  \u001b[0m] Stopped \u001b[0;1;39munit-${i}.service\u001b[0m - Unit ${i}.`,
  );
  tail.push(
    ['booting', 'about to fail', '[quadraxis:n] done exit=3', ...shutdown, 'reboot: Power down', ''].join(
      '\n',
    ),
  );
  expect(tail.scriptTail((line) => line.includes('done exit='))).toEqual([
    'booting',
    'about to fail',
    '[quadraxis:n] done exit=3',
  ]);
});
