import { ActionIcon, Code, CopyButton, Group, Stack, Text, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import type { LastBake } from '../../../../shared/ipc/projects.contract';
import { BakeStatusBadge, SimulatedBadge } from '../bake/status-badge';
import { formatDateTime, formatRelativeTime } from './format';

export function LastBakeCell({ bake, now }: { bake?: LastBake; now: number }) {
  if (!bake) {
    return (
      <Text size="sm" c="dimmed">
        Never baked
      </Text>
    );
  }
  return (
    <Stack gap={4}>
      <Group gap={6}>
        <BakeStatusBadge status={bake.status} size="sm" />
        {bake.simulated && <SimulatedBadge size="sm" />}
      </Group>
      <Tooltip label={`${formatDateTime(bake.at)} · ${bake.profile} · ${bake.region}`}>
        <Text size="xs" c="dimmed" tabIndex={0} w="fit-content">
          {bake.version !== undefined ? `Version ${bake.version} · ` : ''}
          {formatRelativeTime(bake.at, now)}
        </Text>
      </Tooltip>
    </Stack>
  );
}

export function AmiCell({ imageId }: { imageId?: string }) {
  if (!imageId) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  return (
    <Group gap={2} wrap="nowrap">
      <Code style={{ whiteSpace: 'nowrap' }}>{imageId}</Code>
      <CopyButton value={imageId}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : 'Copy AMI id'}>
            <ActionIcon size="sm" variant="subtle" color="gray" onClick={copy} aria-label={`Copy ${imageId}`}>
              {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}
