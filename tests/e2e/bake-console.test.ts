import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BakeEvent } from '../../src/shared/bake';
import { ROOT } from '../helpers/paths';
import { createProject, startBakeFromBakesPage, waitForStatus } from './bake-helpers';
import { screenshotBothThemes, useApp } from './harness';

const LINES = 100_000;
const PER_EVENT = 500;

const app = useApp({ colorScheme: 'light' });

/** A console line like apt's, with colours on some, numbered so the test can find each one. */
function line(n: number): string {
  const number = String(n).padStart(6, '0');
  if (n % 10 === 0) return `\u001b[32m[ OK ]\u001b[0m line ${number}: unpacked package-${n % 977}`;
  if (n % 97 === 0) return `\u001b[1;31mW:\u001b[0m line ${number}: retrying mirror ${n % 7}`;
  return `line ${number}: Get:${n} http://mirror.example/debian bookworm/main amd64 lib-${n % 313} [${n % 9000} B]`;
}

describe('the bake console', () => {
  it('takes 100,000 lines without stalling and keeps only a window of rows in the DOM', async () => {
    const { page, bridge } = app;
    await createProject(app, 'chatty', '#!/bin/bash\necho "before the flood"\n');
    const id = await startBakeFromBakesPage(page, 'chatty');
    await waitForStatus(page, 'succeeded');
    const counter = page.getByLabel('Console line count');
    const before = Number((await counter.textContent())!.replace(/\D/g, ''));

    // Long tasks (over 50 ms) and the longest gap between animation frames, while the lines arrive.
    await page.evaluate(() => {
      const w = window as unknown as { qxLongest: number; qxFrameGap: number; qxStop: boolean };
      w.qxLongest = 0;
      w.qxFrameGap = 0;
      w.qxStop = false;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.qxLongest = Math.max(w.qxLongest, entry.duration);
      }).observe({ type: 'longtask' });
      let last = performance.now();
      const frame = (now: number) => {
        w.qxFrameGap = Math.max(w.qxFrameGap, now - last);
        last = now;
        if (!w.qxStop) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });

    // Straight into the event hub, as the engine's console events travel: seqs after the finished bake's.
    let seq = (await bridge.ctx.runtime.engine.get(id))!.seq;
    for (let first = 1; first <= LINES; first += PER_EVENT) {
      const lines = Array.from({ length: PER_EVENT }, (_, i) => line(first + i));
      const event: BakeEvent = { type: 'console', bakeId: id, seq: ++seq, at: Date.now(), lines };
      bridge.ctx.hub.emit('bake:event', event);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await expect
      .poll(() => counter.textContent(), { timeout: 60_000 })
      .toBe(`${(before + LINES).toLocaleString('en-US')} lines`);
    const log = page.getByRole('log', { name: 'Console output' });
    // Following the output: the last line is on screen.
    await log.getByText(`line ${String(LINES).padStart(6, '0')}`).waitFor();
    const figures = await page.evaluate(() => {
      const w = window as unknown as { qxLongest: number; qxFrameGap: number; qxStop: boolean };
      w.qxStop = true;
      return { longestTaskMs: w.qxLongest, longestFrameGapMs: w.qxFrameGap };
    });

    const rows = await page.locator('.qx-console-row').count();
    expect(rows).toBeGreaterThan(10);
    expect(rows).toBeLessThan(200);

    // Search all of it, and jump to a match far up.
    await page.getByRole('textbox', { name: 'Search the console' }).fill('line 000123:');
    await expect.poll(() => page.getByLabel('Search matches').textContent()).toBe('1 / 1');
    await log.locator('[data-active="true"]').getByText('line 000123').waitFor();
    await page.getByRole('button', { name: 'Jump to latest' }).click();
    await log.getByText(`line ${String(LINES).padStart(6, '0')}`).waitFor();
    expect(await log.getAttribute('data-following')).toBe('true');

    // A scroll event that arrives after a render has made the rows taller (more output, not yet followed) is
    // not the person leaving the bottom: the view catches up and keeps following.
    const grown = await page.evaluate(() => {
      const scroller = document.querySelector<HTMLElement>('[role="log"][aria-label="Console output"]')!;
      const rows = scroller.querySelector<HTMLElement>('.qx-console-rows')!;
      const height = rows.style.height;
      rows.style.height = `${rows.offsetHeight + 5_000}px`;
      scroller.dispatchEvent(new Event('scroll'));
      const caughtUp = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 1;
      rows.style.height = height;
      return caughtUp;
    });
    expect(grown).toBe(true);
    expect(await log.getAttribute('data-following')).toBe('true');
    // Scrolling up is leaving it: following stops until the person is back at the bottom.
    await log.evaluate((element) => element.scrollBy(0, -2_000));
    await expect.poll(() => log.getAttribute('data-following')).toBe('false');
    await page.getByRole('button', { name: 'Jump to latest' }).click();
    await expect.poll(() => log.getAttribute('data-following')).toBe('true');
    await page.getByRole('textbox', { name: 'Search the console' }).fill('');
    await screenshotBothThemes(app, 'bake-console-100k');

    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    writeFileSync(
      join(ROOT, 'test-results', 'bake-console-100k.json'),
      `${JSON.stringify({ lines: LINES, linesPerEvent: PER_EVENT, domRows: rows, ...figures }, null, 2)}\n`,
    );
    console.log(
      `console: ${LINES} lines in events of ${PER_EVENT}; longest task over 50 ms: ${figures.longestTaskMs.toFixed(0)} ms (0 = none); longest frame gap: ${figures.longestFrameGapMs.toFixed(0)} ms; ${rows} rows in the DOM`,
    );
    expect(app.errors).toEqual([]);
  });
});
