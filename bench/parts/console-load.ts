import type { Browser } from 'playwright';
import type { BakeEvent } from '../../src/shared/bake';
import type { Bridge } from '../../tests/bridge/server';

const LINES = 100_000;
/** About what one GetConsoleOutput of a chatty build brings: the engine sends one event per fetch. */
const PER_EVENT = 500;
const APPEND_TIMEOUT_MS = 120_000;
/** Starting the bake whose page takes the lines: a busy machine can take a while; it is not measured. */
const SETUP_TIMEOUT_MS = 120_000;

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
export async function measureConsoleLoad(
  browser: Browser,
  bridge: Bridge,
  run: number,
): Promise<ConsoleLoad> {
  const name = `chatty-${run}`;
  await bridge.ctx.runtime.store.projects.create({
    name,
    baseImage: {
      kind: 'ssm',
      parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    },
    initScript: '#!/bin/sh\necho "before the flood"\n',
  });
  // Every bake event the page is sent passes the hub: the last seq of ours is where the flood continues, so
  // its events are neither taken for stale (dropped) nor for a gap (which would resync from main's record).
  const hub = bridge.ctx.hub;
  const emit = hub.emit.bind(hub);
  const lastSeq = new Map<string, number>();
  hub.emit = (channel, payload) => {
    if (channel === 'bake:event') {
      const event = payload as BakeEvent;
      lastSeq.set(event.bakeId, Math.max(lastSeq.get(event.bakeId) ?? 0, event.seq));
    }
    emit(channel, payload);
  };
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await context.addInitScript({ content: bridge.initScript });
    const page = await context.newPage();
    await page.goto(bridge.url);
    page.setDefaultTimeout(SETUP_TIMEOUT_MS);
    await page.locator('body[data-ready="true"]').waitFor();
    // As a person starts one: Bakes page → New bake → the project → Start.
    await page.keyboard.press('Control+2');
    await page.getByRole('button', { name: 'New bake' }).click();
    const dialog = page.getByRole('dialog', { name: 'Bake an AMI' });
    await dialog.getByLabel('Project', { exact: true }).click();
    await page.getByRole('option', { name, exact: true }).click();
    await dialog.getByRole('button', { name: 'Start bake' }).click();
    // The bake's page (the Bakes table's rows carry the attribute too).
    const root = page.locator('div[data-bake-id]');
    await root.waitFor();
    const bakeId = (await root.getAttribute('data-bake-id')) ?? '';
    await page.locator('div[data-bake-id][data-bake-status="succeeded"]').waitFor();
    // The bake is over; its last events (the record, the console's last read) settle before the flood.
    await settled(() => lastSeq.get(bakeId) ?? 0);
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
    for (let first = 1; first <= LINES; first += PER_EVENT) {
      const lines = Array.from({ length: PER_EVENT }, (_, i) => line(first + i));
      const seq = (lastSeq.get(bakeId) ?? 0) + 1;
      const event: BakeEvent = { type: 'console', bakeId, seq, at: Date.now(), lines };
      hub.emit('bake:event', event);
      await new Promise((resolve) => setImmediate(resolve));
    }
    // At least every line sent counted (the bake's own last lines may still trickle in around them).
    await page.waitForFunction(
      (target) => {
        const text = document.querySelector('[aria-label="Console line count"]')?.textContent ?? '';
        return Number(text.replace(/\D/g, '')) >= target;
      },
      before + LINES,
      { timeout: APPEND_TIMEOUT_MS, polling: 'raf' },
    );
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
    hub.emit = emit;
    await context.close();
  }
}

/** Resolves once `value` has not changed for half a second. */
async function settled(value: () => number): Promise<void> {
  let last = value();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = value();
    if (now === last) return;
    last = now;
  }
}
