import { ActionIcon, Group, Text, TextInput, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  IconChevronDown,
  IconChevronUp,
  IconCopy,
  IconDownload,
  IconSearch,
  type Icon,
} from '@tabler/icons-react';
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
      <ToolButton
        tip="Previous match (Shift+Enter)"
        label="Previous match"
        icon={IconChevronUp}
        disabled={!matchCount}
        onClick={() => step(-1)}
      />
      <ToolButton
        tip="Next match (Enter)"
        label="Next match"
        icon={IconChevronDown}
        disabled={!matchCount}
        onClick={() => step(1)}
      />
      <ToolButton
        tip="Copy the whole log"
        label="Copy the whole log"
        icon={IconCopy}
        loading={busy === 'copy'}
        onClick={() => void run('copy')}
      />
      <ToolButton
        tip="Save the whole log as a file"
        label="Save the whole log"
        icon={IconDownload}
        loading={busy === 'save'}
        onClick={() => void run('save')}
      />
    </Group>
  );
});

function ToolButton(props: {
  tip: string;
  label: string;
  icon: Icon;
  onClick: () => void;
  disabled?: boolean;
  loading?: boolean;
}) {
  const { tip, label, icon: IconComponent, onClick, disabled, loading } = props;
  return (
    <Tooltip label={tip}>
      <ActionIcon
        variant="default"
        size="md"
        aria-label={label}
        disabled={disabled}
        loading={loading}
        onClick={onClick}
      >
        <IconComponent size={14} aria-hidden />
      </ActionIcon>
    </Tooltip>
  );
}
