import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { openLogFile } from '../../../src/main/services/log-file';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'qx-log-'));
  file = join(dir, 'logs', 'main.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const line = (n: number) => `line ${String(n).padStart(4, '0')} ${'x'.repeat(80)}`;
const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

test('rotates past the cap, keeps a few generations, drops the oldest, loses no recent line', () => {
  const log = openLogFile(file, { maxBytes: 1000, keep: 3 });
  for (let n = 0; n < 100; n++) log.write(line(n));
  log.close();
  for (const path of [file, `${file}.1`, `${file}.2`, `${file}.3`])
    expect(statSync(path).size, path).toBeLessThanOrEqual(1000);
  expect(existsSync(`${file}.4`)).toBe(false);
  expect((lstatSync(join(dir, 'logs')).mode & 0o777).toString(8)).toBe('700');
  // Newest in main.log, then .1, .2, .3: consecutive lines, in order, ending with the last one written.
  const kept = [`${file}.3`, `${file}.2`, `${file}.1`, file].flatMap(lines);
  expect(kept.at(-1)).toBe(line(99));
  const first = Number(kept[0]!.split(' ')[1]);
  expect(kept).toEqual(Array.from({ length: 100 - first }, (_, i) => line(first + i)));
  expect(kept.length).toBeGreaterThanOrEqual(30);
});

test('an oversized log left by an older version is rotated at open, and a readable one made 0600', () => {
  mkdirSync(join(dir, 'logs'));
  writeFileSync(file, 'old\n'.repeat(400), { mode: 0o644 });
  chmodSync(file, 0o644);
  const log = openLogFile(file, { maxBytes: 1000, keep: 2 });
  log.write('new');
  log.close();
  expect(readFileSync(file, 'utf8')).toBe('new\n');
  expect(readFileSync(`${file}.1`, 'utf8')).toBe('old\n'.repeat(400));
  expect((lstatSync(file).mode & 0o777).toString(8)).toBe('600');

  // Small enough: appended to, not rotated.
  writeFileSync(join(dir, 'logs', 'small.log'), 'kept\n', { mode: 0o644 });
  chmodSync(join(dir, 'logs', 'small.log'), 0o644);
  const small = openLogFile(join(dir, 'logs', 'small.log'), { maxBytes: 1000 });
  small.write('added');
  small.close();
  expect(readFileSync(join(dir, 'logs', 'small.log'), 'utf8')).toBe('kept\nadded\n');
  expect((lstatSync(join(dir, 'logs', 'small.log')).mode & 0o777).toString(8)).toBe('600');
});
