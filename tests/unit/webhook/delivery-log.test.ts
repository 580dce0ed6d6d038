import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Delivery } from '../../../src/shared/ipc/webhook.contract';
import { DeliveryLog } from '../../../src/main/services/webhook/delivery-log';
import { webhookPaths } from '../../../src/main/services/webhook/paths';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qx-deliveries-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = (i: number): Delivery => ({
  at: 1_700_000_000_000 + i,
  event: 'push',
  delivery: `d-${i}`,
  outcome: 'ignored',
  status: 200,
  detail: `branch b${i} does not bake`,
});

describe('the deliveries log', () => {
  it('lists newest first, and stays bounded by rotating into one older file', async () => {
    const paths = webhookPaths(dir);
    const log = new DeliveryLog({ paths, logger: { warn: () => undefined }, capBytes: 2_000 });
    for (let i = 0; i < 100; i++) await log.append('web', entry(i));
    const listed = await log.list('web', 500);
    expect(listed[0]?.delivery).toBe('d-99');
    expect(listed.map((d) => d.at)).toEqual([...listed.map((d) => d.at)].sort((a, b) => b - a));
    // Both files together never hold much more than twice the cap: old entries are gone, recent ones kept.
    const total =
      (await stat(paths.deliveriesFile('web')).catch(() => ({ size: 0 }))).size +
      (await stat(paths.deliveriesOlderFile('web'))).size;
    expect(total).toBeLessThanOrEqual(2 * 2_000 + 200);
    expect(listed.length).toBeLessThan(100);
    expect(listed.some((d) => d.delivery === 'd-0')).toBe(false);
  });

  it('keeps every line from concurrent appenders', async () => {
    const log = new DeliveryLog({ paths: webhookPaths(dir), logger: { warn: () => undefined } });
    await Promise.all(Array.from({ length: 60 }, (_, i) => log.append('web', entry(i))));
    const listed = await log.list('web', 100);
    expect(new Set(listed.map((d) => d.delivery)).size).toBe(60);
  });

  it('skips a line cut short by a crash', async () => {
    const paths = webhookPaths(dir);
    const log = new DeliveryLog({ paths, logger: { warn: () => undefined } });
    await log.append('web', entry(1));
    await appendFile(paths.deliveriesFile('web'), '{"at":17000,"ev');
    await log.append('web', entry(2));
    expect((await log.list('web')).map((d) => d.delivery)).toEqual(['d-2', 'd-1']);
    expect(await readFile(paths.deliveriesFile('web'), 'utf8')).toContain('"ev');
  });

  it('refuses to write a secret-shaped field it does not know', async () => {
    const log = new DeliveryLog({ paths: webhookPaths(dir), logger: { warn: () => undefined } });
    await log.append('web', { ...entry(1), signature: 'sha256=abc' } as Delivery);
    expect(await readFile(webhookPaths(dir).deliveriesFile('web'), 'utf8')).not.toContain('sha256=abc');
  });

  it('never shares a file between a project’s older log and the current log of a project named like it', async () => {
    const paths = webhookPaths(dir);
    const log = new DeliveryLog({ paths, logger: { warn: () => undefined }, capBytes: 500 });
    for (let i = 0; i < 10; i++) await log.append('foo', entry(i));
    await log.append('foo.1', { ...entry(100), delivery: 'mine' });
    expect((await log.list('foo.1', 100)).map((d) => d.delivery)).toEqual(['mine']);
    expect((await log.list('foo', 100)).map((d) => d.delivery)).not.toContain('mine');
    expect(new Set([paths.deliveriesOlderFile('foo'), paths.deliveriesFile('foo.1')]).size).toBe(2);
  });

  it('renames an earlier version’s older files once, so a project named like one starts empty', async () => {
    const paths = webhookPaths(dir);
    await mkdir(paths.deliveriesDir, { recursive: true });
    const line = (i: number) => `${JSON.stringify(entry(i))}\n`;
    await writeFile(join(paths.deliveriesDir, 'foo.jsonl'), line(2));
    await writeFile(join(paths.deliveriesDir, 'foo.1.jsonl'), line(1));
    const log = new DeliveryLog({ paths, logger: { warn: () => undefined } });
    expect((await log.list('foo')).map((d) => d.delivery)).toEqual(['d-2', 'd-1']);
    expect(await log.list('foo.1')).toEqual([]);
    await log.append('foo.1', { ...entry(3), delivery: 'new' });
    // A later process does not take the new project's current file for an old one.
    const again = new DeliveryLog({ paths, logger: { warn: () => undefined } });
    expect((await again.list('foo.1')).map((d) => d.delivery)).toEqual(['new']);
    expect((await again.list('foo')).map((d) => d.delivery)).toEqual(['d-2', 'd-1']);
    expect((await readdir(paths.deliveriesDir)).sort()).toEqual([
      '@names-v2',
      'foo.1.jsonl',
      'foo.jsonl',
      'foo@older.jsonl',
    ]);
  });
});
