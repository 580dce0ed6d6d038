import { Anchor, Code, Group, Stack, Table, Text } from '@mantine/core';
import { STEP_LABELS, isFinalStatus, type BakeRecord } from '../../../../shared/bake';
import { useAppStore } from '../../state/app-store';
import { bakeElapsed, currentStep, formatDuration, formatTime, queueMessage } from './bake-format';
import { EnvironmentBadge } from './environment-badge';
import { BakeStatusBadge, SimulatedBadge } from './status-badge';
import { useNow } from './use-now';

/** Running and past bakes across projects; a row opens its bake. */
export function BakesTable({ records }: { records: BakeRecord[] }) {
  const navigate = useAppStore((s) => s.navigate);
  const now = useNow(
    records.some((r) => !isFinalStatus(r.status)),
    1000,
  );
  const open = (id: string) => void navigate({ page: 'bake', id });

  return (
    <Table highlightOnHover verticalSpacing="sm" aria-label="Bakes">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Project</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>AMI</Table.Th>
          <Table.Th>Started</Table.Th>
          <Table.Th ta="right">Duration</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {records.map((record) => {
          // Where it is, or where it stopped; why, for a failure, on hover.
          const step = record.status === 'succeeded' ? undefined : currentStep(record);
          return (
            <Table.Tr
              key={record.id}
              onClick={() => open(record.id)}
              style={{ cursor: 'pointer' }}
              data-bake-id={record.id}
              data-status={record.status}
            >
              <Table.Td>
                <Stack gap={0}>
                  <Group gap={6} wrap="nowrap">
                    <Anchor
                      component="button"
                      fw={500}
                      size="sm"
                      ta="left"
                      onClick={(event) => {
                        event.stopPropagation();
                        open(record.id);
                      }}
                      aria-label={`${record.project}${record.environment ? ` (environment ${record.environment})` : ''}, bake ${record.id}`}
                    >
                      {record.project}
                    </Anchor>
                    <EnvironmentBadge environment={record.environment} size="sm" />
                  </Group>
                  <Text size="xs" c="dimmed" ff="monospace">
                    {record.id}
                  </Text>
                </Stack>
              </Table.Td>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <BakeStatusBadge
                    status={record.status}
                    size="sm"
                    warnings={record.warnings?.length ?? 0}
                    {...(record.orphaned ? { orphanNote: record.message } : {})}
                  />
                  {record.simulated && <SimulatedBadge size="sm" />}
                </Group>
                {(step || record.status === 'queued') && (
                  <Text size="xs" c="dimmed" mt={4} title={record.error?.message}>
                    {record.status === 'queued' ? queueMessage(record) : STEP_LABELS[step!.step]}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {record.imageId ? (
                  <Code>{record.imageId}</Code>
                ) : (
                  <Text size="sm" c="dimmed">
                    —
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatTime(record.startedAt ?? record.createdAt, now)}</Text>
              </Table.Td>
              <Table.Td ta="right">
                <Text size="sm" ff="monospace">
                  {formatDuration(bakeElapsed(record, now))}
                </Text>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
