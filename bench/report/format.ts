/** Durations as a person reads them: "850 ms", "2.4 s", "3 min 05 s". */
export function duration(ms: number | null): string {
  if (ms === null || Number.isNaN(ms)) return '—';
  const sign = ms < 0 ? '−' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(1)} s`;
  const minutes = Math.floor(abs / 60_000);
  const seconds = Math.round((abs % 60_000) / 1000);
  return `${sign}${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

/** Ratios keep two significant digits below 10 (0.041×, 2.4×) and none above (87×). */
export function ratio(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return `${value >= 10 ? Math.round(value) : Number(value.toPrecision(2))}×`;
}

export function bytes(n: number): string {
  return n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(2)} MB`;
}

export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
