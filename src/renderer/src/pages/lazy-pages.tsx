import { lazy } from 'react';

/**
 * Every page but the first screen (the projects list) is its own chunk, fetched when it is first shown —
 * so a cold start parses only what the projects list needs (the editor, the console, forms and their
 * schemas come later). The window prefetches them once it is idle after starting (prefetchPages), so a
 * click a few seconds in rarely waits for one; the Suspense fallback covers the rest.
 */
const chunks = {
  project: () => import('./project-page'),
  bakes: () => import('./bakes-page'),
  bake: () => import('./bake-page'),
  settings: () => import('./settings-page'),
};

export const ProjectPage = lazy(() => chunks.project().then((m) => ({ default: m.ProjectPage })));
export const BakesPage = lazy(() => chunks.bakes().then((m) => ({ default: m.BakesPage })));
export const BakePage = lazy(() => chunks.bake().then((m) => ({ default: m.BakePage })));
export const SettingsPage = lazy(() => chunks.settings().then((m) => ({ default: m.SettingsPage })));

/** How long after the window's load event the other pages are fetched, when the window is idle. */
const PREFETCH_AFTER_MS = 1_500;

/** Fetches the other pages' chunks in the background once the first screen is up and the window idle. */
export function prefetchPages(): () => void {
  let idle: number | undefined;
  const timer = window.setTimeout(() => {
    idle = window.requestIdleCallback(() => {
      for (const chunk of Object.values(chunks)) void chunk().catch(() => undefined);
    });
  }, PREFETCH_AFTER_MS);
  return () => {
    window.clearTimeout(timer);
    if (idle !== undefined) window.cancelIdleCallback(idle);
  };
}
