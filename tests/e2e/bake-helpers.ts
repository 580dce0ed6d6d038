import type { Page } from 'playwright';
import type { BakeRecord } from '../../src/shared/bake';
import type { ProjectInput } from '../../src/shared/project';
import type { AppPage } from './harness';

/** The sandbox resolves this public parameter like EC2 would. */
const BASE_IMAGE = {
  kind: 'ssm',
  parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
} as const;

export async function createProject(app: AppPage, name: string, initScript: string): Promise<void> {
  const input: ProjectInput = {
    name,
    description: `e2e project ${name}`,
    baseImage: BASE_IMAGE,
    initScript,
    tags: { team: 'platform', purpose: 'e2e' },
  };
  await app.bridge.ctx.runtime.store.projects.create(input);
}

/**
 * Bakes page → "New bake" → choose the project (and `environment`, one of its named ones) → the bake's
 * page. The profile is the one the first bake of the run remembered.
 */
export async function startBakeFromBakesPage(
  page: Page,
  project: string,
  environment?: string,
): Promise<string> {
  await page.keyboard.press('Control+2');
  await page.getByRole('button', { name: 'New bake' }).click();
  const dialog = page.getByRole('dialog', { name: 'Bake an AMI' });
  await dialog.getByLabel('Project', { exact: true }).click();
  await page.getByRole('option', { name: project, exact: true }).click();
  if (environment) {
    await dialog.getByLabel('Environment', { exact: true }).click();
    await page.getByRole('option', { name: environment, exact: true }).click();
  }
  await dialog.getByRole('button', { name: 'Start bake' }).click();
  await dialog.waitFor({ state: 'detached' });
  const root = page.locator('[data-bake-id]');
  await root.waitFor();
  return (await root.getAttribute('data-bake-id'))!;
}

export async function waitForStatus(page: Page, status: BakeRecord['status']): Promise<void> {
  await page.locator(`[data-bake-status="${status}"]`).waitFor({ timeout: 60_000 });
}

/** The step list as the page shows it: step → status. */
export async function shownSteps(page: Page): Promise<Record<string, string>> {
  const items = page.getByRole('list', { name: 'Bake steps' }).getByRole('listitem');
  const out: Record<string, string> = {};
  for (const item of await items.all()) {
    out[(await item.getAttribute('data-step'))!] = (await item.getAttribute('data-status'))!;
  }
  return out;
}

export function recordSteps(record: BakeRecord): Record<string, string> {
  return Object.fromEntries(
    record.steps.filter((s) => s.step !== 'cleanup' || s.status !== 'pending').map((s) => [s.step, s.status]),
  );
}
