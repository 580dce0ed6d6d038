import type { ProjectSummary } from '../../../../shared/ipc/projects.contract';
import type { BaseImage } from '../../../../shared/project';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600_000],
  ['month', 30 * 24 * 3600_000],
  ['week', 7 * 24 * 3600_000],
  ['day', 24 * 3600_000],
  ['hour', 3600_000],
  ['minute', 60_000],
];

/** "just now", "5 minutes ago", "yesterday": for lists, with the exact time in a tooltip. */
export function formatRelativeTime(at: number, now: number): string {
  const elapsed = now - at;
  if (Math.abs(elapsed) < 45_000) return 'just now';
  const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(elapsed) >= ms) return format.format(-Math.round(elapsed / ms), unit);
  }
  return format.format(-Math.round(elapsed / 60_000), 'minute');
}

export function formatDateTime(at: number | string): string {
  return new Date(at).toLocaleString('en-GB', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

const SSM_NAMES: [RegExp, (m: RegExpExecArray) => string][] = [
  [
    /ami-amazon-linux-latest\/al2023-ami-kernel-default-(x86_64|arm64)$/,
    (m) => `Amazon Linux 2023 (latest, ${m[1]})`,
  ],
  [
    /canonical\/ubuntu\/server\/(\d\d\.\d\d)\/stable\/current\/(amd64|arm64)\//,
    (m) => `Ubuntu ${m[1]} (latest, ${m[2]})`,
  ],
  [/debian\/release\/(\d+)\/latest\/(amd64|arm64)$/, (m) => `Debian ${m[1]} (latest, ${m[2]})`],
];

/** A base-image setting in words: the alias's name, the pattern, or the id. */
export function describeBaseImage(base: BaseImage): string {
  switch (base.kind) {
    case 'id':
      return base.imageId;
    case 'latest':
      return `Newest “${base.namePattern}” (${base.architecture})`;
    case 'ssm':
      for (const [pattern, name] of SSM_NAMES) {
        const match = pattern.exec(base.parameter);
        if (match) return name(match);
      }
      return `SSM ${base.parameter}`;
  }
}

export function formatMemory(mib: number): string {
  const gib = mib / 1024;
  return gib < 1 ? `${mib} MiB` : `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
}

/** A name for a copy that does not clash: web → web-copy, web-copy → web-copy-2. */
export function copyName(name: string, taken: readonly string[]): string {
  const lower = new Set(taken.map((t) => t.toLowerCase()));
  const base = `${name}-copy`.slice(0, 60);
  if (!lower.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) if (!lower.has(`${base}-${i}`.toLowerCase())) return `${base}-${i}`;
}

/** Case-insensitive match on name and description; every word of the query must match. */
export function filterProjects(items: readonly ProjectSummary[], query: string): ProjectSummary[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...items];
  return items.filter((item) => {
    const text = `${item.name} ${item.description}`.toLowerCase();
    return words.every((word) => text.includes(word));
  });
}
