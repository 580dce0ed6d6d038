/** A project's hook under a listener's base URL. */
export function hookUrl(base: string, project: string): string {
  return `${base.replace(/\/+$/, '')}/hooks/${encodeURIComponent(project)}`;
}
