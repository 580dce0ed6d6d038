import { CONSOLE_PAGE_MAX } from '../../../../shared/ipc/bake.contract';
import { api, unwrap } from '../../api';
import { stripAnsi } from './ansi';

/** The whole saved log of a bake, page by page through bake:console. */
export async function fetchWholeLog(id: string): Promise<string[]> {
  const lines: string[] = [];
  for (;;) {
    const page = await unwrap(api.bake.console({ id, fromLine: lines.length, limit: CONSOLE_PAGE_MAX }));
    for (const line of page.lines) lines.push(line);
    if (page.lines.length === 0 || lines.length >= page.total) return lines;
  }
}

/** Downloads the whole log as a text file (colour codes removed, so it reads well in any editor). */
export async function saveWholeLog(id: string, project: string): Promise<number> {
  const lines = await fetchWholeLog(id);
  const blob = new Blob([lines.map((line) => `${stripAnsi(line)}\n`).join('')], { type: 'text/plain' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `${project}-${id}-console.log`;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has taken its copy once the click is handled; the blob can go on the next turn.
  setTimeout(() => URL.revokeObjectURL(url), 0);
  return lines.length;
}
