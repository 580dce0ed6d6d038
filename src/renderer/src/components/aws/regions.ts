import { AWS_REGIONS, REGION_NAMES } from '../../../../shared/regions';

/** Select options, with `extra` (a profile's own region, a project's) added when it is not a known one. */
export function regionOptions(...extra: (string | undefined)[]): { value: string; label: string }[] {
  const codes = [...AWS_REGIONS];
  for (const code of extra) if (code && !codes.includes(code)) codes.push(code);
  return codes.map((value) => ({ value, label: regionLabel(value) }));
}

export function regionLabel(code: string): string {
  const name = REGION_NAMES[code];
  return name ? `${code} · ${name}` : code;
}
