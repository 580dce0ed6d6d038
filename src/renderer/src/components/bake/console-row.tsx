import { Fragment, memo, type CSSProperties, type ReactNode } from 'react';
import { parseAnsi, type AnsiSegment } from './ansi';
import type { ConsoleLines } from './console-lines';

export const ROW_HEIGHT = 18;
/**
 * The virtualizer works on blocks of lines, not lines: it re-measures every item whenever the count
 * changes, which at 100,000 lines and a flush per frame was the main-thread hog. Blocks cut that 10-fold
 * while adding at most a block of off-screen rows at each edge. Not larger: while the console follows a
 * flood, every frame mounts whole new blocks, and 25-line blocks made those frames lay out four times the
 * rows on screen (tasks over 50 ms in the benchmark); 10 keeps them near twice.
 */
export const LINES_PER_BLOCK = 10;

interface ConsoleBlockProps {
  lines: ConsoleLines;
  /** Index of the block's first line; lines never change in place within an epoch, only get added. */
  start: number;
  size: number;
  epoch: number;
  /** 1-based number of line 0 in the whole log. */
  firstNumber: number;
  top: number;
  query: string;
  /** The search's current line if it is in this block, else -1 (so other blocks stay memoised). */
  activeLine: number;
}

export const ConsoleBlock = memo(function ConsoleBlock(props: ConsoleBlockProps) {
  const { lines, start, size, firstNumber, top, query, activeLine } = props;
  const rows: ReactNode[] = [];
  for (let index = start; index < start + size; index++) {
    rows.push(
      <ConsoleRow
        key={index}
        line={lines.line(index) ?? ''}
        number={firstNumber + index}
        query={query}
        active={index === activeLine}
      />,
    );
  }
  return (
    <div className="qx-console-block" style={{ transform: `translateY(${top}px)` }}>
      {rows}
    </div>
  );
});

interface ConsoleRowProps {
  line: string;
  /** 1-based number in the whole log. */
  number: number;
  query: string;
  active: boolean;
}

/** One console line: colours from its ANSI codes, the search term marked. Memoised: scrolling re-uses rows. */
const ConsoleRow = memo(function ConsoleRow({ line, number, query, active }: ConsoleRowProps) {
  return (
    <div className="qx-console-row" data-active={active || undefined} data-line={number}>
      <span className="qx-console-gutter" aria-hidden>
        {number}
      </span>
      <span className="qx-console-text">
        {parseAnsi(line).map((segment, i) => {
          const style = segmentStyle(segment);
          // Most lines have no colour at all: plain text, no wrapper element.
          return style ? (
            <span key={i} style={style}>
              {mark(segment.text, query)}
            </span>
          ) : (
            <Fragment key={i}>{mark(segment.text, query)}</Fragment>
          );
        })}
      </span>
    </div>
  );
});

function segmentStyle(segment: AnsiSegment): CSSProperties | undefined {
  if (!segment.fg && !segment.bg && !segment.bold && !segment.dim && !segment.italic && !segment.underline) {
    return undefined;
  }
  return {
    color: segment.fg,
    background: segment.bg,
    fontWeight: segment.bold ? 700 : undefined,
    opacity: segment.dim ? 0.7 : undefined,
    fontStyle: segment.italic ? 'italic' : undefined,
    textDecoration: segment.underline ? 'underline' : undefined,
  };
}

/** Wraps each case-insensitive occurrence of `query` in <mark>. */
function mark(text: string, query: string): ReactNode {
  if (query === '') return text;
  const lower = text.toLowerCase();
  const needle = query.toLowerCase();
  let at = lower.indexOf(needle);
  if (at < 0) return text;
  const parts: ReactNode[] = [];
  let from = 0;
  while (at >= 0) {
    if (at > from) parts.push(text.slice(from, at));
    parts.push(<mark key={at}>{text.slice(at, at + needle.length)}</mark>);
    from = at + needle.length;
    at = lower.indexOf(needle, from);
  }
  if (from < text.length) parts.push(text.slice(from));
  return parts;
}
