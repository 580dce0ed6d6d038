import { createElement, lazy, useState, type ComponentType, type FunctionComponent } from 'react';

/**
 * A page in its own chunk: rendered through React.lazy (and the shell's Suspense) until its chunk has
 * arrived, then directly — so a page prefetched in the background never shows the fallback, and navigating
 * to it commits at once, as it did when every page was in the first bundle.
 */
function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>) {
  let loaded: ComponentType<P> | undefined;
  let loading: Promise<ComponentType<P>> | undefined;
  const fetch = () => (loading ??= load().then((component) => (loaded = component)));
  const Lazy = lazy(() => fetch().then((component) => ({ default: component })));
  // Chosen once per mount: switching from the lazy wrapper to the loaded page later would remount it.
  const Page: FunctionComponent<P> = (props) => {
    const [component] = useState<ComponentType<P>>(() => loaded ?? Lazy);
    return createElement(component, props);
  };
  return { Page, fetch };
}

/**
 * Every page but the first screen (the projects list) is its own chunk, fetched when it is first shown —
 * so a cold start parses only what the projects list needs (the editor, the console, forms and their
 * schemas come later). The window prefetches them once it is idle after starting (prefetchPages).
 */
const project = lazyPage(() => import('./project-page').then((m) => m.ProjectPage));
const bakes = lazyPage(() => import('./bakes-page').then((m) => m.BakesPage));
const bake = lazyPage(() => import('./bake-page').then((m) => m.BakePage));
const settings = lazyPage(() => import('./settings-page').then((m) => m.SettingsPage));
const deployment = lazyPage(() => import('./deployment-page').then((m) => m.DeploymentPage));

export const ProjectPage = project.Page;
export const BakesPage = bakes.Page;
export const BakePage = bake.Page;
export const SettingsPage = settings.Page;
export const DeploymentPage = deployment.Page;

/** How long after the window's load event the other pages are fetched, when the window is idle. */
const PREFETCH_AFTER_MS = 1_500;

/** Fetches the other pages' chunks in the background once the first screen is up and the window idle. */
export function prefetchPages(): () => void {
  let idle: number | undefined;
  const timer = window.setTimeout(() => {
    idle = window.requestIdleCallback(() => {
      for (const page of [project, bakes, bake, settings, deployment])
        void page.fetch().catch(() => undefined);
    });
  }, PREFETCH_AFTER_MS);
  return () => {
    window.clearTimeout(timer);
    if (idle !== undefined) window.cancelIdleCallback(idle);
  };
}
