import Anser from 'anser';

/** A run of console text with one style. Colours are CSS values; the 16 basic ones are theme variables. */
export interface AnsiSegment {
  text: string;
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
}

// eslint-disable-next-line no-control-regex
const ANSI_SEQUENCE = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[@-Z\\-_]/g;
// eslint-disable-next-line no-control-regex
const OTHER_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** What a line says without its colours: for search, copy and save. */
export function stripAnsi(line: string): string {
  return afterCarriageReturn(line).replace(ANSI_SEQUENCE, '').replace(OTHER_CONTROLS, '');
}

/** A terminal overwrites the line on \r (progress bars): only what was written last is visible. */
function afterCarriageReturn(line: string): string {
  const cut = line.lastIndexOf('\r', line.length - 2);
  return cut >= 0 ? line.slice(cut + 1) : line;
}

/** Parses SGR colours and styles with anser; everything else that is not text is dropped. */
export function parseAnsi(line: string): AnsiSegment[] {
  const visible = afterCarriageReturn(line);
  if (!visible.includes('\u001b')) return [{ text: visible.replace(OTHER_CONTROLS, '') }];
  const segments: AnsiSegment[] = [];
  for (const entry of Anser.ansiToJson(visible, { use_classes: true, remove_empty: true })) {
    const text = entry.content.replace(OTHER_CONTROLS, '');
    if (text === '') continue;
    const segment: AnsiSegment = { text };
    const fg = cssColor(entry.fg, entry.fg_truecolor);
    const bg = cssColor(entry.bg, entry.bg_truecolor);
    if (fg) segment.fg = fg;
    if (bg) segment.bg = bg;
    const decorations = new Set(entry.decorations);
    if (decorations.has('bold')) segment.bold = true;
    if (decorations.has('dim')) segment.dim = true;
    if (decorations.has('italic')) segment.italic = true;
    if (decorations.has('underline')) segment.underline = true;
    segments.push(segment);
  }
  return segments;
}

const CUBE_LEVELS = [0, 95, 135, 175, 215, 255];
const BASIC = [
  'black',
  'red',
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyan',
  'white',
  'bright-black',
  'bright-red',
  'bright-green',
  'bright-yellow',
  'bright-blue',
  'bright-magenta',
  'bright-cyan',
  'bright-white',
];

/** anser's class names → CSS: basic colours follow the theme, the 256-colour palette and truecolor are fixed. */
export function cssColor(name: string | null, truecolor: string | null): string | undefined {
  if (!name) return undefined;
  if (name === 'ansi-truecolor') return truecolor ? `rgb(${truecolor})` : undefined;
  const palette = /^ansi-palette-(\d+)$/.exec(name);
  if (palette) return paletteColor(Number(palette[1]));
  const basic = name.replace(/^ansi-/, '');
  return BASIC.includes(basic) ? `var(--qx-ansi-${basic})` : undefined;
}

/** xterm's 256 colours: 16 basic, a 6×6×6 cube, then 24 greys. */
export function paletteColor(index: number): string | undefined {
  if (!Number.isInteger(index) || index < 0 || index > 255) return undefined;
  if (index < 16) return `var(--qx-ansi-${BASIC[index]!})`;
  if (index >= 232) {
    const grey = 8 + (index - 232) * 10;
    return `rgb(${grey}, ${grey}, ${grey})`;
  }
  const cube = index - 16;
  const r = CUBE_LEVELS[Math.floor(cube / 36)]!;
  const g = CUBE_LEVELS[Math.floor(cube / 6) % 6]!;
  const b = CUBE_LEVELS[cube % 6]!;
  return `rgb(${r}, ${g}, ${b})`;
}
