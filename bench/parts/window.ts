import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright';
import { startBridge, type Bridge } from '../../tests/bridge/server';
import { launchBrowser } from '../../tests/e2e/harness';
import { measureConsoleLoad, type ConsoleLoad } from './console-load';

const LOADS = 10;
const CONSOLE_RUNS = 5;
const SEEDED_PROJECTS = 5;
const EDITOR_WAIT_MS = 20_000;

export interface LoadSample {
  /** ms from navigation start to the first frame after the projects page showed its content. */
  projectsPaintedMs: number;
  /** What that content was: the seeded projects, or the empty state (the list does not read projects yet). */
  projectsShown: 'list' | 'empty-state';
  /** ms from navigation start to Monaco's first rendered lines on a project page; null if it never came. */
  editorReadyMs: number | null;
  /** First contentful paint: for a single-page app, the first frame with the app's own content. */
  firstContentfulPaintMs: number | null;
  /** The JavaScript fully received by the time the projects list was painted: what the first screen cost. */
  firstLoadJs: { files: number; bytes: number; gzipBytes: number };
}

export interface WindowResult {
  loads: LoadSample[];
  /** The first load's (every cold load fetches the same files). */
  firstLoadJs: LoadSample['firstLoadJs'];
  console: ConsoleLoad[];
}

/**
 * The built renderer in Debian's Chromium through the e2e test bridge (the real handlers and services over a
 * WebSocket), each load in a fresh browser context: nothing cached. A data directory with a few projects
 * stands in for a real user's.
 */
export async function measureWindow(): Promise<WindowResult> {
  const bridge = await startBridge();
  const browser = await launchBrowser();
  try {
    for (let i = 0; i < SEEDED_PROJECTS; i++) {
      await bridge.ctx.runtime.store.projects.create({
        name: `service-${i}`,
        baseImage: {
          kind: 'ssm',
          parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
        },
        initScript: '#!/bin/sh\nset -e\ndnf install -y nginx\nsystemctl enable nginx\n',
      });
    }
    const loads: LoadSample[] = [];
    for (let i = 0; i < LOADS; i++) {
      const sample = await coldLoad(browser, bridge);
      if (sample.projectsShown !== 'list')
        throw new Error('the projects page showed its empty state, not the seeded projects');
      loads.push(sample);
    }
    const console: ConsoleLoad[] = [];
    for (let run = 0; run < CONSOLE_RUNS; run++) console.push(await measureConsoleLoad(browser, bridge, run));
    return { loads, firstLoadJs: loads[0]!.firstLoadJs, console };
  } finally {
    await browser.close();
    await bridge.close();
  }
}

async function coldLoad(browser: Browser, bridge: Bridge): Promise<LoadSample> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await context.addInitScript({ content: bridge.initScript });
    const page = await context.newPage();
    // Bodies as served, not re-read from out/: another build may replace the files while this runs.
    const scripts = new Map<string, Promise<Buffer | undefined>>();
    page.on('response', (response) => {
      const path = new URL(response.url()).pathname;
      if (path.endsWith('.js'))
        scripts.set(
          path,
          response.body().catch(() => undefined),
        );
    });
    await page.goto(bridge.url);
    const list = page.getByText('service-0', { exact: true }).first();
    const empty = page.getByText('No projects yet').first();
    await list.or(empty).waitFor();
    const projectsShown = (await list.isVisible()) ? 'list' : 'empty-state';
    const projectsPaintedMs = await nextFrameTime(page);
    const firstContentfulPaintMs = await page.evaluate(
      () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
    );
    const firstLoadJs = await scriptsBefore(page, projectsPaintedMs, scripts);
    const editorReadyMs = projectsShown === 'list' ? await openEditor(page) : null;
    return { projectsPaintedMs, projectsShown, editorReadyMs, firstContentfulPaintMs, firstLoadJs };
  } finally {
    await context.close();
  }
}

/** The time of the next animation frame: the content found in the DOM has been painted by then. */
async function nextFrameTime(page: Page): Promise<number> {
  const at = await page.evaluate(
    () => new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now()))),
  );
  return Math.round(at);
}

async function openEditor(page: Page): Promise<number | null> {
  await page.getByText('service-0', { exact: true }).first().click();
  try {
    await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: EDITOR_WAIT_MS });
  } catch {
    return null;
  }
  return nextFrameTime(page);
}

/** JavaScript the page had fully received by `paintMs`, raw and as gzip (level 6) would send it. */
async function scriptsBefore(
  page: Page,
  paintMs: number | null,
  bodies: Map<string, Promise<Buffer | undefined>>,
): Promise<LoadSample['firstLoadJs']> {
  const urls = await page.evaluate(
    (limit) =>
      performance
        .getEntriesByType('resource')
        .filter(
          (e) =>
            new URL(e.name).pathname.endsWith('.js') &&
            (limit === null || (e as PerformanceResourceTiming).responseEnd <= limit),
        )
        .map((e) => new URL(e.name).pathname),
    paintMs,
  );
  let bytes = 0;
  let gzipBytes = 0;
  for (const path of urls) {
    const body = await bodies.get(path);
    if (!body) throw new Error(`no response body was captured for ${path}`);
    bytes += body.length;
    gzipBytes += gzipSync(body).length;
  }
  return { files: urls.length, bytes, gzipBytes };
}
