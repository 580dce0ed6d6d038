import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
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
