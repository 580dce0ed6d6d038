import type { Session, WebContents } from 'electron';

/**
 * The renderer's Content-Security-Policy, sent as a header by the app:// protocol handler and repeated as a
 * <meta> in index.html. script-src stays 'self' with no 'unsafe-eval'. style-src needs 'unsafe-inline'
 * because Monaco and Mantine inject <style> elements at run time (VS Code ships the same allowance);
 * workers come from our own bundle, and Monaco spins some up from blob: URLs.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
].join('; ');

/** Navigation, new windows, webviews and permission prompts are all refused for our renderer. */
export function guardWebContents(
  contents: WebContents,
  isAppUrl: (url: string) => boolean,
  log: (m: string) => void,
): void {
  contents.setWindowOpenHandler(({ url }) => {
    log(`window.open refused: ${url}`);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) {
      event.preventDefault();
      log(`navigation refused: ${url}`);
    }
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) {
      event.preventDefault();
      log(`redirect refused: ${url}`);
    }
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('webview refused');
  });
}

/** Writing to the clipboard (copy an AMI id, a policy, a curl line) is the only permission granted. */
const GRANTED = new Set(['clipboard-sanitized-write']);

export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => callback(GRANTED.has(permission)));
  session.setPermissionCheckHandler((_contents, permission) => GRANTED.has(permission));
}
