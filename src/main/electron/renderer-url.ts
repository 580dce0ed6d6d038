/** Where electron-vite's dev server may be: this machine's loopback, by name or address. */
const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * The page the window loads, and so the only origin trusted on IPC. electron-vite sets ELECTRON_RENDERER_URL
 * to its dev server under `npm run dev`; an installed app must never take it from the environment (anyone who
 * can set a variable for the process would get a page of theirs trusted on every channel), and even a
 * development build takes only a loopback http(s) URL. Anything else is `builtPage` (app://quadraxis/…).
 * Imports nothing, so it is tested without Electron.
 */
export function rendererUrl(fromEnv: string | undefined, isPackaged: boolean, builtPage: string): string {
  const fallback = builtPage;
  if (!fromEnv || isPackaged) return fallback;
  let url: URL;
  try {
    url = new URL(fromEnv);
  } catch {
    return fallback;
  }
  const loopback =
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    !url.username &&
    !url.password &&
    LOOPBACK_HOST.test(url.hostname);
  return loopback ? url.href : fallback;
}
