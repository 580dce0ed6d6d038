import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { afterAll, beforeAll, expect } from 'vitest';
import { startBridge, type Bridge, type BridgeOptions } from '../bridge/server';
import { ROOT, requireBuild } from '../helpers/paths';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'screenshots');

/** The flags this machine needs: no sandbox as root, and no background calls to Google's hosts. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export function launchBrowser(): Promise<Browser> {
  requireBuild();
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** One Chromium for the test file: launched before its tests, closed after. Call at the file's top level. */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('The browser is launched in beforeAll: use it inside a test or hook.');
    return browser;
  };
}

/**
 * One app for the whole test file, on its own Chromium, for flows that build on each other. The handle reads
 * the app opened in beforeAll, so it can be taken at the top level and destructured inside the tests.
 */
export function useApp(options: Parameters<typeof openApp>[1] = {}): AppPage {
  const browser = useBrowser();
  let opened: AppPage | undefined;
  // afterAll hooks run in reverse order: the app closes before its browser does.
  beforeAll(async () => {
    opened = await openApp(browser(), options);
  });
  afterAll(async () => {
    await opened?.close();
  });
  const app = () => {
    if (!opened) throw new Error('The app is opened in beforeAll: use it inside a test or hook.');
    return opened;
  };
  return {
    get page() {
      return app().page;
    },
    get context() {
      return app().context;
    },
    get bridge() {
      return app().bridge;
    },
    get errors() {
      return app().errors;
    },
    screenshot: (name) => app().screenshot(name),
    close: () => app().close(),
  };
}

export interface AppPage {
  page: Page;
  context: BrowserContext;
  bridge: Bridge;
  /** Console errors and uncaught exceptions in the page; a flow should end with none. */
  errors: string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function openApp(
  browser: Browser,
  options: { colorScheme?: 'light' | 'dark'; bridge?: Bridge } & BridgeOptions = {},
): Promise<AppPage> {
  const bridge = options.bridge ?? (await startBridge(options));
  const context = await browser.newContext({
    colorScheme: options.colorScheme ?? 'light',
    viewport: { width: 1280, height: 800 },
  });
  await context.addInitScript({ content: bridge.initScript });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(bridge.url);
  await page.locator('body[data-ready="true"]').waitFor();
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    page,
    context,
    bridge,
    errors,
    screenshot: async (name) => {
      await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
    },
    close: async () => {
      await context.close();
      if (!options.bridge) await bridge.close();
    },
  };
}

/** UI state settles after IPC round trips and debounces; vitest's default of 1 s is too tight on 2 cores. */
export function poll<T>(read: () => T | Promise<T>): ReturnType<typeof expect.poll<T | Promise<T>>> {
  return expect.poll(read, { timeout: 15_000 });
}

/** The same view in both themes: the app follows the system scheme, so switching the emulated one is enough. */
export async function screenshotBothThemes(app: AppPage, name: string): Promise<void> {
  const html = app.page.locator('html');
  // A full-page capture of a scrolled window draws the fixed header and navigation mid-page.
  await app.page.evaluate(() => window.scrollTo(0, 0));
  for (const scheme of ['light', 'dark'] as const) {
    await app.page.emulateMedia({ colorScheme: scheme });
    await poll(() => html.getAttribute('data-mantine-color-scheme')).toBe(scheme);
    await settled(app.page);
    await app.screenshot(`${name}-${scheme}`);
  }
  await app.page.emulateMedia({ colorScheme: 'light' });
  await poll(() => html.getAttribute('data-mantine-color-scheme')).toBe('light');
}

/** A dialog mid-transition is half drawn, and one that is about to open has not started its fade yet. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('.mantine-Modal-content, .mantine-Popover-dropdown')).every(
      (e) => getComputedStyle(e).opacity === '1',
    ),
  );
  // Other transitions too; spinners and striped bars run forever, so those are not waited for.
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
}
