import { FAMILY_KEYS, type FamilyKey, type Summary } from './summary';

const PANEL = { width: 300, height: 230, left: 46, right: 12, top: 28, bottom: 36 };
const COLUMNS = 4;
const LEGEND_HEIGHT = 76;
const Y_TICKS = [1, 3, 10, 30, 100, 300, 1000];

const COLOURS = {
  quadraxis: '#1f5fbf',
  tuned: '#d9822b',
  anchor: '#555555',
  grid: '#e3e3e3',
  text: '#222222',
};
const MARKERS: Record<string, string> = {
  'packer-v2': 'square',
  'packer-v1': 'diamond',
  'design-2015': 'triangle',
};

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const n = (v: number) => (Math.round(v * 10) / 10).toString();

function marker(shape: string, x: number, y: number, fill: string, size = 5): string {
  switch (shape) {
    case 'square':
      return `<rect x="${n(x - size)}" y="${n(y - size)}" width="${2 * size}" height="${2 * size}" fill="${fill}"/>`;
    case 'diamond':
      return `<path d="M${n(x)} ${n(y - size - 1)} L${n(x + size + 1)} ${n(y)} L${n(x)} ${n(y + size + 1)} L${n(x - size - 1)} ${n(y)} Z" fill="${fill}"/>`;
    case 'triangle':
      return `<path d="M${n(x)} ${n(y - size - 1)} L${n(x + size + 1)} ${n(y + size)} L${n(x - size - 1)} ${n(y + size)} Z" fill="${fill}"/>`;
    default:
      return `<circle cx="${n(x)}" cy="${n(y)}" r="${size}" fill="${fill}"/>`;
  }
}

/**
 * Overhead against calls per bake, one panel per timeline family and one for all of them: the tuned SDK
 * waiters as a curve, the fair anchors as points, Quadraxis highlighted. Medians as markers, p95 as a thin
 * line above each. Plain SVG text so the file diffs and renders on GitHub without a charting library.
 */
export function renderChart(summary: Summary): string {
  const ids = Object.keys(summary.overhead);
  const maxCalls = Math.max(
    ...ids.flatMap((id) => FAMILY_KEYS.map((f) => summary.overhead[id]![f].callsPerBake)),
    ...(summary.quadraxisCurve?.points.flatMap((p) => FAMILY_KEYS.map((f) => p.byFamily[f].callsPerBake)) ??
      []),
  );
  const xMax = Math.ceil((maxCalls * 1.08) / 10) * 10;
  const maxS = Math.max(...ids.flatMap((id) => FAMILY_KEYS.map((f) => summary.overhead[id]![f].p95S)));
  const yMax = Y_TICKS.find((t) => t >= maxS) ?? 1000;
  const rows = Math.ceil(FAMILY_KEYS.length / COLUMNS);
  const width = COLUMNS * PANEL.width;
  const height = rows * PANEL.height + LEGEND_HEIGHT;
  const panels = FAMILY_KEYS.map((family, i) =>
    panel(summary, family, (i % COLUMNS) * PANEL.width, Math.floor(i / COLUMNS) * PANEL.height, xMax, yMax),
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...panels,
    legend(rows * PANEL.height + 8, width),
    '</svg>',
    '',
  ].join('\n');
}

function panel(
  summary: Summary,
  family: FamilyKey,
  x0: number,
  y0: number,
  xMax: number,
  yMax: number,
): string {
  const w = PANEL.width - PANEL.left - PANEL.right;
  const h = PANEL.height - PANEL.top - PANEL.bottom;
  const X = (calls: number) => x0 + PANEL.left + (calls / xMax) * w;
  const Y = (s: number) => y0 + PANEL.top + h - (Math.log(Math.max(s, 1)) / Math.log(yMax)) * h;
  const out: string[] = [];
  const title = family === 'all' ? 'all families' : family;
  out.push(
    `<text x="${x0 + PANEL.left}" y="${y0 + 16}" font-weight="bold" fill="${COLOURS.text}">${esc(title)}</text>`,
  );
  for (const t of Y_TICKS.filter((t) => t <= yMax)) {
    out.push(`<line x1="${X(0)}" x2="${X(xMax)}" y1="${n(Y(t))}" y2="${n(Y(t))}" stroke="${COLOURS.grid}"/>`);
    out.push(
      `<text x="${X(0) - 4}" y="${n(Y(t) + 4)}" text-anchor="end" fill="${COLOURS.text}">${t} s</text>`,
    );
  }
  const step = xMax > 100 ? 25 : 10;
  for (let c = 0; c <= xMax; c += step) {
    out.push(
      `<line x1="${n(X(c))}" x2="${n(X(c))}" y1="${n(Y(yMax))}" y2="${n(Y(1))}" stroke="${COLOURS.grid}"/>`,
    );
    out.push(
      `<text x="${n(X(c))}" y="${n(Y(1) + 14)}" text-anchor="middle" fill="${COLOURS.text}">${c}</text>`,
    );
  }
  out.push(
    `<text x="${n(X(xMax))}" y="${n(Y(1) + 28)}" text-anchor="end" fill="${COLOURS.text}">calls per bake</text>`,
  );

  const entries = Object.entries(summary.overhead).map(([id, cells]) => ({
    id,
    cell: cells[family],
    info: summary.policies[id]!,
  }));
  const own = summary.quadraxisCurve?.points.map((p) => p.byFamily[family]) ?? [];
  if (own.length > 1)
    out.push(
      `<polyline fill="none" stroke="${COLOURS.quadraxis}" stroke-width="1.2" stroke-dasharray="4 3" points="${own.map((c) => `${n(X(c.callsPerBake))},${n(Y(c.medianS))}`).join(' ')}"/>`,
    );
  const curve = entries
    .filter((e) => e.id.startsWith('sdk-v3-'))
    .sort((a, b) => a.cell.callsPerBake - b.cell.callsPerBake);
  out.push(
    `<polyline fill="none" stroke="${COLOURS.tuned}" stroke-width="1.5" points="${curve.map((e) => `${n(X(e.cell.callsPerBake))},${n(Y(e.cell.medianS))}`).join(' ')}"/>`,
  );
  for (const e of entries) {
    const x = X(e.cell.callsPerBake);
    const colour =
      e.info.group === 'quadraxis'
        ? COLOURS.quadraxis
        : e.id.startsWith('sdk-v3-')
          ? COLOURS.tuned
          : COLOURS.anchor;
    out.push(
      `<line x1="${n(x)}" x2="${n(x)}" y1="${n(Y(e.cell.medianS))}" y2="${n(Y(e.cell.p95S))}" stroke="${colour}" stroke-width="1"/>`,
    );
    out.push(
      marker(MARKERS[e.id] ?? 'circle', x, Y(e.cell.medianS), colour, e.info.group === 'quadraxis' ? 6 : 4),
    );
    if (e.id.startsWith('sdk-v3-')) {
      const label = e.id.replace('sdk-v3-', '').replace('-', '/');
      out.push(
        `<text x="${n(x + 6)}" y="${n(Y(e.cell.medianS) - 5)}" fill="${COLOURS.tuned}" font-size="9">${label}</text>`,
      );
    }
  }
  return `<g>${out.join('')}</g>`;
}

function legend(y: number, width: number): string {
  const items: [string, string, string][] = [
    ['circle', COLOURS.quadraxis, 'Quadraxis (dashed: its gaps scaled ×0.75–×4, replayed)'],
    ['circle', COLOURS.tuned, 'SDK v3 waiters (min/max delay, s): the tuned-waiter curve'],
    ['square', COLOURS.anchor, 'Packer amazon-ebs, aws-sdk-go-v2'],
    ['diamond', COLOURS.anchor, 'Packer amazon-ebs, aws-sdk-go v1'],
    ['triangle', COLOURS.anchor, '2015 design'],
  ];
  const out = items.map(([shape, colour, label], i) => {
    const x = 20 + (i % 3) * Math.floor(width / 3);
    const row = y + 14 + Math.floor(i / 3) * 20;
    return `${marker(shape, x, row - 4, colour, 5)}<text x="${x + 12}" y="${row}" fill="${COLOURS.text}">${esc(label)}</text>`;
  });
  out.push(
    `<text x="20" y="${y + 56}" fill="${COLOURS.text}" font-size="10">Markers: median overhead (time from AWS finishing the image to the tool seeing it, plus any earlier lag); lines above them reach the p95. Log scale.</text>`,
  );
  return `<g>${out.join('')}</g>`;
}
