import { ActionIcon, Group, Text, TextInput, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconChevronDown, IconChevronUp, IconCopy, IconDownload, IconSearch } from '@tabler/icons-react';
import { memo, useState } from 'react';
import { errorMessage } from '../../api';
import { stripAnsi } from './ansi';
import { fetchWholeLog, saveWholeLog } from './console-export';

interface ConsoleToolbarProps {
  bakeId: string;
  project: string;
  query: string;
  onQuery: (query: string) => void;
  /** Undefined while there is no search. */
  matchCount: number | undefined;
  activeMatch: number;
  onMatch: (index: number) => void;
}

/** Memoised: the console re-renders on every flush of new lines, the toolbar only when its own props change. */
export const ConsoleToolbar = memo(function ConsoleToolbar(props: ConsoleToolbarProps) {
  const { bakeId, project, query, onQuery, matchCount, activeMatch, onMatch } = props;
  const [busy, setBusy] = useState<'copy' | 'save'>();
  const step = (delta: number) => {
    if (!matchCount) return;
    onMatch((activeMatch + delta + matchCount) % matchCount);
  };

  const run = async (action: 'copy' | 'save') => {
    setBusy(action);
    try {
      if (action === 'save') {
        const count = await saveWholeLog(bakeId, project);
        notifications.show({ color: 'teal', message: `Saved ${count.toLocaleString('en-US')} lines.` });
      } else {
        const lines = await fetchWholeLog(bakeId);
        await navigator.clipboard.writeText(lines.map((line) => `${stripAnsi(line)}\n`).join(''));
        notifications.show({
          color: 'teal',
          message: `Copied ${lines.length.toLocaleString('en-US')} lines.`,
        });
      }
    } catch (error) {
      notifications.show({
        color: 'red',
        title: action === 'save' ? 'Could not save the log' : 'Could not copy the log',
        message: errorMessage(error),
        autoClose: false,
      });
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <Group gap={6} wrap="nowrap">
      <TextInput
        size="xs"
        w={200}
        placeholder="Search the console"
        aria-label="Search the console"
        leftSection={<IconSearch size={14} aria-hidden />}
        value={query}
        onChange={(event) => onQuery(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') step(event.shiftKey ? -1 : 1);
          if (event.key === 'Escape') onQuery('');
        }}
        rightSectionWidth={matchCount === undefined ? undefined : 64}
        rightSection={
          matchCount === undefined ? undefined : (
            <Text size="xs" c="dimmed" aria-live="polite" aria-label="Search matches">
              {matchCount === 0 ? 'none' : `${Math.min(activeMatch + 1, matchCount)} / ${matchCount}`}
            </Text>
          )
        }
      />
      <Tooltip label="Previous match (Shift+Enter)">
        <ActionIcon
          variant="default"
          size="md"
          aria-label="Previous match"
          disabled={!matchCount}
          onClick={() => step(-1)}
        >
          <IconChevronUp size={14} aria-hidden />
        </ActionIcon>
      </Tooltip>
      <Tooltip label="Next match (Enter)">
        <ActionIcon
          variant="default"
          size="md"
          aria-label="Next match"
          disabled={!matchCount}
          onClick={() => step(1)}
        >
          <IconChevronDown size={14} aria-hidden />
        </ActionIcon>
      </Tooltip>
      <Tooltip label="Copy the whole log">
        <ActionIcon
          variant="default"
          size="md"
          aria-label="Copy the whole log"
          loading={busy === 'copy'}
          onClick={() => void run('copy')}
        >
          <IconCopy size={14} aria-hidden />
        </ActionIcon>
      </Tooltip>
      <Tooltip label="Save the whole log as a file">
        <ActionIcon
          variant="default"
          size="md"
          aria-label="Save the whole log"
          loading={busy === 'save'}
          onClick={() => void run('save')}
        >
          <IconDownload size={14} aria-hidden />
        </ActionIcon>
      </Tooltip>
    </Group>
  );
});
