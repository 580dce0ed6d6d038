import { Badge, Box, Button, Group, Paper, Text, Title } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useVirtualizer } from '@tanstack/react-virtual';
import { IconArrowDown } from '@tabler/icons-react';
import { useCallback, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { loadEarlierLines } from '../../state/bakes-store';
import { ConsoleBlock, LINES_PER_BLOCK, ROW_HEIGHT } from './console-row';
import { ConsoleSearch, type ConsoleLines } from './console-lines';
import { ConsoleToolbar } from './console-toolbar';
import './bake.css';

/** Closer to the bottom than this counts as "at the bottom": following resumes. */
const FOLLOW_SLACK_PX = ROW_HEIGHT * 2;
const BLOCK_HEIGHT = LINES_PER_BLOCK * ROW_HEIGHT;

/**
 * The builder's console, live: virtualized (only the visible rows are in the DOM, whatever the length),
 * following new output until the person scrolls up, with search, copy and save.
 */
export function ConsoleView({
  bakeId,
  project,
  lines,
  live,
}: {
  bakeId: string;
  project: string;
  lines: ConsoleLines;
  live: boolean;
}) {
  const subscribe = useCallback((onChange: () => void) => lines.subscribe(onChange), [lines]);
  const version = useSyncExternalStore(subscribe, () => lines.version);
  const count = lines.length;
  const firstNumber = lines.earlier + lines.dropped + 1;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  /** The query the results are for: it follows the typed one after a pause. */
  const [searched, setSearched] = useState('');
  const [activeMatch, setActiveMatch] = useState(0);
  const search = useMemo(() => new ConsoleSearch(), []);
  // `version` stands for the lines' content, which lives outside React.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const matches = useMemo(() => search.update(lines, searched), [search, lines, searched, version]);
  const matchesRef = useRef(matches);
  matchesRef.current = matches;

  // Every block is measured as full; the true height (the last block is partial) is set on the rows below.
  // The app does not run the React Compiler, so the virtualizer's unmemoisable functions are harmless here.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: Math.ceil(count / LINES_PER_BLOCK),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => BLOCK_HEIGHT,
    overscan: 1,
    // Scroll updates render with the next batch instead of synchronously inside each scroll event.
    useFlushSync: false,
  });

  /** Where following last put the scroll position. */
  const followedTop = useRef(0);
  const stickToBottom = (element: HTMLDivElement) => {
    element.scrollTop = element.scrollHeight;
    followedTop.current = element.scrollTop;
  };
  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (follow && element) stickToBottom(element);
  }, [follow, version]);

  const onScroll = () => {
    const element = scrollRef.current;
    if (!element) return;
    const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight <= FOLLOW_SLACK_PX;
    if (!follow) {
      if (atBottom) setFollow(true);
      return;
    }
    if (atBottom) {
      followedTop.current = element.scrollTop;
      return;
    }
    // Away from the bottom while following: only a move up from where following put it is the person
    // leaving. Scroll events are dispatched a frame late, and by then a render (the virtualizer's own, with
    // lines that arrived since) may have made the rows taller; that is output to catch up with, not a
    // reason to stop following — which is how a flood of output used to strand the view mid-log.
    if (element.scrollTop < followedTop.current - FOLLOW_SLACK_PX) setFollow(false);
    else stickToBottom(element);
  };

  const reveal = useCallback((line: number | undefined) => {
    const element = scrollRef.current;
    if (line === undefined || !element) return;
    setFollow(false);
    element.scrollTop = Math.max(0, line * ROW_HEIGHT - element.clientHeight / 2);
  }, []);
  const showMatch = useCallback(
    (index: number) => {
      setActiveMatch(index);
      reveal(matchesRef.current[index]);
    },
    [reveal],
  );
  // A new search shows its first match straight away.
  const runSearch = useDebouncedCallback((value: string) => {
    setSearched(value);
    setActiveMatch(0);
    reveal(search.update(lines, value)[0]);
  }, 150);
  const onQuery = useCallback(
    (value: string) => {
      setQuery(value);
      runSearch(value);
    },
    [runSearch],
  );
  const activeLine = searched ? (matches[Math.min(activeMatch, matches.length - 1)] ?? -1) : -1;

  return (
    <Paper withBorder p="md" role="region" aria-labelledby="bake-console-title" className="qx-console-panel">
      <Group justify="space-between" mb="sm" wrap="nowrap" gap="sm">
        <Group gap="xs" wrap="nowrap">
          <Title order={3} size="h5" id="bake-console-title">
            Builder console
          </Title>
          <Badge variant="light" color="gray" radius="sm" aria-label="Console line count">
            {(count + lines.earlier + lines.dropped).toLocaleString('en-US')} lines
          </Badge>
        </Group>
        <ConsoleToolbar
          bakeId={bakeId}
          project={project}
          query={query}
          onQuery={onQuery}
          matchCount={searched ? matches.length : undefined}
          activeMatch={activeMatch}
          onMatch={showMatch}
        />
      </Group>
      <div className="qx-console">
        {lines.earlier > 0 && (
          <Group className="qx-console-banner" justify="space-between">
            <Text size="xs">
              {lines.earlier.toLocaleString('en-US')} earlier lines are in the saved log but not shown.
            </Text>
            <Button size="compact-xs" variant="light" onClick={() => void loadEarlierLines(bakeId)}>
              Load earlier lines
            </Button>
          </Group>
        )}
        {lines.dropped > 0 && (
          <Text className="qx-console-banner">
            The oldest {lines.dropped.toLocaleString('en-US')} lines were dropped to keep this view fast; Save
            has the whole log.
          </Text>
        )}
        <div
          ref={scrollRef}
          className="qx-console-scroll"
          onScroll={onScroll}
          tabIndex={0}
          role="log"
          aria-label="Console output"
          aria-live="off"
          data-following={follow}
        >
          <div className="qx-console-rows" style={{ height: count * ROW_HEIGHT }}>
            {virtualizer.getVirtualItems().map((item) => {
              const start = item.index * LINES_PER_BLOCK;
              const size = Math.min(LINES_PER_BLOCK, count - start);
              const inBlock = activeLine >= start && activeLine < start + size;
              return (
                <ConsoleBlock
                  key={item.index}
                  lines={lines}
                  start={start}
                  size={size}
                  epoch={lines.epoch}
                  firstNumber={firstNumber}
                  top={item.start}
                  query={searched}
                  activeLine={inBlock ? activeLine : -1}
                />
              );
            })}
          </div>
          {count === 0 && (
            <Box className="qx-console-empty">
              <Text size="sm" c="dimmed">
                {live
                  ? 'No output yet. The builder’s serial console appears here once it has booted.'
                  : 'No console output was recorded for this bake.'}
              </Text>
            </Box>
          )}
        </div>
        {!follow && count > 0 && (
          <Button
            className="qx-console-jump"
            size="xs"
            radius="xl"
            leftSection={<IconArrowDown size={14} aria-hidden />}
            onClick={() => setFollow(true)}
          >
            Jump to latest
          </Button>
        )}
      </div>
    </Paper>
  );
}
