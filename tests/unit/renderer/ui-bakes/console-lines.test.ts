import { describe, expect, it } from 'vitest';
import { parseAnsi, paletteColor, stripAnsi } from '../../../../src/renderer/src/components/bake/ansi';
import { ConsoleLines, ConsoleSearch } from '../../../../src/renderer/src/components/bake/console-lines';

/** Flushes run when the test says so, like animation frames. */
function frames() {
  const pending: (() => void)[] = [];
  return {
    schedule: (flush: () => void) => pending.push(flush),
    run: () => pending.splice(0).forEach((f) => f()),
  };
}

describe('ConsoleLines', () => {
  it('tells listeners once per frame however many batches arrived', () => {
    const frame = frames();
    const lines = new ConsoleLines({ schedule: frame.schedule });
    let told = 0;
    lines.subscribe(() => told++);
    lines.append(['a', 'b']);
    lines.append(['c']);
    expect(told).toBe(0);
    frame.run();
    expect(told).toBe(1);
    expect(lines.version).toBe(1);
    expect([0, 1, 2].map((i) => lines.line(i))).toEqual(['a', 'b', 'c']);
  });

  it('appends a batch far larger than the call stack allows for spreading', () => {
    const lines = new ConsoleLines({ schedule: () => undefined, maxLines: 1_000_000 });
    lines.append(Array.from({ length: 150_000 }, (_, i) => `line ${i}`));
    expect(lines.length).toBe(150_000);
    expect(lines.line(149_999)).toBe('line 149999');
  });

  it('drops the oldest lines past the cap, in steps, and says how many', () => {
    const lines = new ConsoleLines({ schedule: () => undefined, maxLines: 100 });
    lines.append(Array.from({ length: 105 }, (_, i) => `l${i}`));
    expect(lines.length).toBe(105); // within the 10 % slack: no splice yet
    const epoch = lines.epoch;
    lines.append(Array.from({ length: 10 }, (_, i) => `m${i}`));
    expect(lines.length).toBe(100);
    expect(lines.dropped).toBe(15);
    expect(lines.line(0)).toBe('l15');
    expect(lines.epoch).toBe(epoch + 1);
  });

  it('starts from a snapshot tail and loads earlier lines in front', () => {
    const lines = new ConsoleLines({ schedule: () => undefined });
    lines.reset(['c', 'd'], 4);
    expect(lines.earlier).toBe(2);
    lines.prepend(['a', 'b']);
    expect(lines.earlier).toBe(0);
    expect(lines.text()).toBe('a\nb\nc\nd\n');
  });

  it('finds lines case-insensitively, ignoring colour codes', () => {
    const lines = new ConsoleLines({ schedule: () => undefined });
    lines.append(['Get:1 nginx', '\u001b[31mERROR\u001b[0m: disk full', 'ok', 'an error again']);
    expect(lines.find('error')).toEqual([1, 3]);
    expect(lines.find('error', 2)).toEqual([3]);
    expect(lines.find('')).toEqual([]);
    expect(lines.plainLine(1)).toBe('ERROR: disk full');
  });
});

describe('ConsoleSearch', () => {
  it('scans only new lines as the console grows, and starts over for a new query or shifted lines', () => {
    const lines = new ConsoleLines({ schedule: () => undefined, maxLines: 10 });
    const search = new ConsoleSearch();
    lines.append(['warn 1', 'x', 'warn 2']);
    const first = search.update(lines, 'warn');
    expect(first).toEqual([0, 2]);
    expect(search.update(lines, 'warn')).toBe(first); // nothing new: the same array, no rescan
    lines.append(['warn 3']);
    expect(search.update(lines, 'warn')).toEqual([0, 2, 3]);
    expect(search.update(lines, 'x')).toEqual([1]);
    lines.append(Array.from({ length: 8 }, () => 'warn'));
    // 12 lines > 10 + 1: the oldest two were dropped and indexes moved.
    expect(lines.dropped).toBe(2);
    expect(search.update(lines, 'warn')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('ANSI', () => {
  it('turns SGR codes into styled segments with theme colours for the basic 16', () => {
    expect(parseAnsi('\u001b[1;31mfailed\u001b[0m: exit 3')).toEqual([
      { text: 'failed', fg: 'var(--qx-ansi-red)', bold: true },
      { text: ': exit 3' },
    ]);
    expect(parseAnsi('\u001b[92;44mok\u001b[0m')).toEqual([
      { text: 'ok', fg: 'var(--qx-ansi-bright-green)', bg: 'var(--qx-ansi-blue)' },
    ]);
  });

  it('maps the 256-colour palette and truecolor to fixed colours', () => {
    expect(parseAnsi('\u001b[38;5;196mhot')).toEqual([{ text: 'hot', fg: 'rgb(255, 0, 0)' }]);
    expect(parseAnsi('\u001b[38;2;10;20;30mdeep')).toEqual([{ text: 'deep', fg: 'rgb(10, 20, 30)' }]);
    expect(paletteColor(3)).toBe('var(--qx-ansi-yellow)');
    expect(paletteColor(232)).toBe('rgb(8, 8, 8)');
    expect(paletteColor(300)).toBeUndefined();
  });

  it('shows what a terminal would after a carriage return, and drops other control codes', () => {
    expect(parseAnsi('Progress 10%\rProgress 100%')).toEqual([{ text: 'Progress 100%' }]);
    expect(stripAnsi('\u001b[2K\u001b[32mdone\u001b[0m\u0007\r')).toBe('done');
    expect(stripAnsi('plain')).toBe('plain');
  });
});
