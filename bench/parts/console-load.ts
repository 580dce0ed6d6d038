import type { Browser } from 'playwright';
import type { BakeEvent } from '../../src/shared/bake';
import type { Bridge } from '../../tests/bridge/server';

const LINES = 100_000;
/** About what one GetConsoleOutput of a chatty build brings: the engine sends one event per fetch. */
const PER_EVENT = 500;
const APPEND_TIMEOUT_MS = 120_000;

export interface ConsoleLoad {
  lines: number;
  linesPerEvent: number;
  /** The longest main-thread task over 50 ms (PerformanceObserver 'longtask'); 0 when there was none. */
  longestTaskMs: number;
  longestFrameGapMs: number;
  /** From the first event sent to the line counter showing all of them. */
  appendMs: number;
  domRows: number;
}

function line(n: number): string {
  const number = String(n).padStart(6, '0');
  if (n % 10 === 0) return `\u001b[32m[ OK ]\u001b[0m line ${number}: unpacked package-${n % 977}`;
  return `line ${number}: Get:${n} http://mirror.example/debian bookworm/main amd64 lib-${n % 313} [${n % 9000} B]`;
}

/**
 * A finished Sandbox bake's page, then 100,000 more console lines straight into the event hub, as the
 * engine's console events travel to the window. Measured in the page while they arrive: long tasks and
 * the longest gap between animation frames.
 */
export async function measureConsoleLoad(browser: Browser, bridge: Bridge): Promise<ConsoleLoad> {
  await bridge.ctx.runtime.store.projects.create({
    name: 'chatty',
    baseImage: {
      kind: 'ssm',
      parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    },
    initScript: '#!/bin/sh\necho "before the flood"\n',
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await context.addInitScript({ content: bridge.initScript });
    const page = await context.newPage();
    await page.goto(bridge.url);
    await page.locator('body[data-ready="true"]').waitFor();
    // As a person starts one: Bakes page → New bake → the project → Start.
    await page.keyboard.press('Control+2');
    await page.getByRole('button', { name: 'New bake' }).click();
    const dialog = page.getByRole('dialog', { name: 'Bake an AMI' });
    await dialog.getByLabel('Project', { exact: true }).click();
    await page.getByRole('option', { name: 'chatty', exact: true }).click();
    await dialog.getByRole('button', { name: 'Start bake' }).click();
    const root = page.locator('[data-bake-id]');
    await root.waitFor();
    const bakeId = (await root.getAttribute('data-bake-id')) ?? '';
    await page.locator('[data-bake-status="succeeded"]').waitFor({ timeout: 60_000 });
    const counter = page.getByLabel('Console line count');
    const before = Number((await counter.textContent())?.replace(/\D/g, ''));

    await page.evaluate(() => {
      const w = window as unknown as { qxLongest: number; qxGap: number; qxStop: boolean };
      Object.assign(w, { qxLongest: 0, qxGap: 0, qxStop: false });
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.qxLongest = Math.max(w.qxLongest, entry.duration);
      }).observe({ type: 'longtask' });
      let last = performance.now();
      const frame = (now: number) => {
        w.qxGap = Math.max(w.qxGap, now - last);
        last = now;
        if (!w.qxStop) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
    const started = performance.now();
    let seq = (await bridge.ctx.runtime.engine.get(bakeId))?.seq ?? 0;
    for (let first = 1; first <= LINES; first += PER_EVENT) {
      const lines = Array.from({ length: PER_EVENT }, (_, i) => line(first + i));
      const event: BakeEvent = { type: 'console', bakeId, seq: ++seq, at: Date.now(), lines };
      bridge.ctx.hub.emit('bake:event', event);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await page
      .getByLabel('Console line count')
      .getByText(`${(before + LINES).toLocaleString('en-US')} lines`)
      .waitFor({ timeout: APPEND_TIMEOUT_MS });
    const appendMs = performance.now() - started;
    const figures = await page.evaluate(() => {
      const w = window as unknown as { qxLongest: number; qxGap: number; qxStop: boolean };
      w.qxStop = true;
      return { longestTaskMs: w.qxLongest, longestFrameGapMs: w.qxGap };
    });
    return {
      lines: LINES,
      linesPerEvent: PER_EVENT,
      longestTaskMs: Math.round(figures.longestTaskMs),
      longestFrameGapMs: Math.round(figures.longestFrameGapMs),
      appendMs: Math.round(appendMs),
      domRows: await page.locator('.qx-console-row').count(),
    };
  } finally {
    await context.close();
  }
}
