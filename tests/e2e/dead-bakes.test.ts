import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/main/services/clock';
import { createStore, newBakeId } from '../../src/main/services/store';
import { BAKE_STEPS, type BakeEvent } from '../../src/shared/bake';
import { bakeRecord } from '../helpers/bake-record';
import { poll, screenshotBothThemes, useApp } from './harness';

/**
 * A CLI bake killed mid-run, against an AWS profile this machine cannot reach: recovery cannot settle it yet,
 * so the Bakes page must say what it is — interrupted, not recovered yet, and why — instead of "running".
 */
const app = useApp({ colorScheme: 'light' });

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

describe('a bake whose process died', () => {
  it('lists as interrupted, not running, with how it will be recovered', async () => {
    const { page, bridge } = app;
    const store = createStore({ dataDir: bridge.dataDir, clock: systemClock, actor: 'quadraxis CLI' });
    const id = newBakeId(systemClock);
    const at = systemClock.now();
    const record = bakeRecord(id, 'killed-mid-bake', {
      profile: 'prod-not-configured-here',
      simulated: false,
      createdAt: at,
      steps: BAKE_STEPS.filter((s) => s !== 'cleanup').map((step) => ({ step, status: 'pending' as const })),
    });
    const { claim } = await store.bakes.create({ type: 'created', bakeId: id, seq: 0, at, record });
    const events: BakeEvent[] = [
      { type: 'status', bakeId: id, seq: 1, at, status: 'running' },
      { type: 'step', bakeId: id, seq: 2, at, step: 'launch', status: 'done' },
      { type: 'resource', bakeId: id, seq: 3, at, kind: 'instance', id: 'i-0123456789abcdef0' },
      { type: 'step', bakeId: id, seq: 4, at, step: 'run-script', status: 'running' },
    ];
    await store.bakes.appendEvents(id, events);
    await store.bakes.flush();
    // The CLI was killed: its heartbeat stops, and owner.json names a process that no longer exists.
    await claim.release();
    const pid = await deadPid();
    await writeFile(
      join(bridge.dataDir, 'bakes', id, 'owner.json'),
      JSON.stringify({
        pid,
        hostname: hostname(),
        startToken: 'killed',
        actor: 'quadraxis CLI',
        claimedAt: at,
        heartbeatAt: at,
      }),
    );

    await page.keyboard.press('Control+2');
    const row = page.getByRole('table', { name: 'Bakes' }).locator(`tr[data-bake-id="${id}"]`);
    await row.waitFor({ timeout: 30_000 });
    await poll(() => row.getAttribute('data-status')).toBe('interrupted');
    const badge = row.locator('[data-orphaned="true"]');
    await expect.poll(() => badge.textContent()).toBe('Interrupted · not recovered yet');
    await badge.hover();
    const tip = page.getByRole('tooltip');
    await tip.getByText(`quadraxis CLI (pid ${pid} on ${hostname()}) is gone`, { exact: false }).waitFor();
    await tip.getByText('quadraxis bakes --recover', { exact: false }).waitFor();
    await screenshotBothThemes(app, 'bakes-dead-cli-bake');
    expect(await row.textContent()).not.toContain('Running');
    expect(app.errors).toEqual([]);
  });
});
