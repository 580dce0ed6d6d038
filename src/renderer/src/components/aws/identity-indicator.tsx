import { Alert, Button, Group, Loader, Popover, Stack, Text, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconRefresh, IconUserCheck } from '@tabler/icons-react';
import { useState } from 'react';
import type { IdentityState } from '../../state/aws-store';
import { CommandLine } from './command-line';
import { identityProblemTitle } from './identity-problem';

/**
 * Who the chosen profile is, once resolved: account id and ARN. A problem opens itself once, in words, with
 * the command that fixes it (an SSO login) and a Retry.
 */
export function IdentityIndicator({ state, onRetry }: { state: IdentityState; onRetry: () => void }) {
  const errorKey = state.status === 'error' ? `${state.key}:${state.error.message}` : undefined;
  // Each new problem opens itself once; closing it is remembered for that problem only.
  const [closedFor, setClosedFor] = useState<string>();
  const opened = errorKey !== undefined && closedFor !== errorKey;
  const setOpened = (open: boolean) => setClosedFor(open ? undefined : errorKey);

  if (state.status === 'idle') return null;
  if (state.status === 'loading') {
    return (
      <Group gap={6} wrap="nowrap" role="status" aria-label="AWS identity">
        <Loader size="xs" />
        <Text size="xs" c="dimmed">
          Connecting…
        </Text>
      </Group>
    );
  }
  if (state.status === 'ok') {
    const { account, arn } = state.identity;
    return (
      <Tooltip label={arn} multiline maw={420}>
        <Group gap={8} wrap="nowrap" role="status" aria-label="AWS identity" tabIndex={0} miw={0}>
          <IconUserCheck size={18} color="var(--mantine-color-teal-6)" aria-hidden />
          <Stack gap={0} miw={0}>
            <Text size="xs" fw={600} lh={1.3}>
              Account {account}
            </Text>
            <Text size="xs" c="dimmed" lh={1.3} truncate="end" maw={300} ff="monospace">
              {arn}
            </Text>
          </Stack>
        </Group>
      </Tooltip>
    );
  }
  const { error } = state;
  const title = identityProblemTitle(error);
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" width={420} withArrow shadow="md">
      <Popover.Target>
        <Button
          size="xs"
          color="red"
          variant="light"
          leftSection={<IconAlertTriangle size={14} aria-hidden />}
          onClick={() => setOpened(!opened)}
          aria-label={`Profile problem: ${title}`}
        >
          {title}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Alert color="red" variant="transparent" p={0} title={title} role="alert">
          <Stack gap="sm">
            <Text size="sm">{error.message.replace(/ Run: .*$/, '')}</Text>
            {error.details?.command && (
              <>
                <Text size="sm">Run this in a terminal, then retry:</Text>
                <CommandLine command={error.details.command} />
              </>
            )}
            <Group justify="flex-end">
              <Button size="xs" leftSection={<IconRefresh size={14} aria-hidden />} onClick={onRetry}>
                Retry
              </Button>
            </Group>
          </Stack>
        </Alert>
      </Popover.Dropdown>
    </Popover>
  );
}
