/** A plain aligned table for terminal output: columns padded to their widest cell, two spaces apart. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    widths
      .map((width, i) => (cells[i] ?? '').padEnd(width))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].map((l) => `${l}\n`).join('');
}

/** `2026-01-01 12:00` in UTC: short, sortable and the same on every machine in a CI log. */
export function formatTime(ms: number | undefined): string {
  return ms === undefined ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}
