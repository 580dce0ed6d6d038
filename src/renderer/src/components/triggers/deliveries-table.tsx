import { Anchor, Badge, Table, Text } from '@mantine/core';
import type { Delivery, DeliveryOutcome } from '../../../../shared/ipc/webhook.contract';
import { useAppStore } from '../../state/app-store';

const OUTCOME: Record<DeliveryOutcome, { label: string; color: string }> = {
  baked: { label: 'Baked', color: 'green' },
  ignored: { label: 'Ignored', color: 'gray' },
  ping: { label: 'Ping', color: 'blue' },
  duplicate: { label: 'Repeat', color: 'gray' },
  joined: { label: 'Joined queued bake', color: 'teal' },
  unauthorized: { label: 'Refused (401)', color: 'red' },
  'rate-limited': { label: 'Too many (429)', color: 'orange' },
  'too-large': { label: 'Too large (413)', color: 'red' },
  'bad-request': { label: 'Bad request', color: 'red' },
  failed: { label: 'Not started', color: 'red' },
};

/** The latest requests to this project's hook, newest first; a baked one links to its bake. */
export function DeliveriesTable({ deliveries }: { deliveries: Delivery[] }) {
  const navigate = useAppStore((s) => s.navigate);
  if (deliveries.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No deliveries yet. They appear here as they arrive.
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table verticalSpacing={6} aria-label="Recent deliveries">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Time</Table.Th>
            <Table.Th>Event</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>Details</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {deliveries.map((d, i) => {
            const outcome = OUTCOME[d.outcome];
            return (
              <Table.Tr key={`${d.at}-${d.delivery ?? i}`} data-outcome={d.outcome}>
                <Table.Td>
                  <Text size="sm">{new Date(d.at).toLocaleTimeString()}</Text>
                  <Text size="xs" c="dimmed">
                    {new Date(d.at).toLocaleDateString()}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{d.event === 'trigger' ? 'token call' : d.event}</Text>
                  {d.delivery && (
                    <Text size="xs" c="dimmed" ff="monospace" title={d.delivery}>
                      {d.delivery.slice(0, 13)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge color={outcome.color} variant="light" radius="sm">
                    {outcome.label}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {d.bakeId && (
                    <Anchor
                      component="button"
                      size="sm"
                      ff="monospace"
                      onClick={() => void navigate({ page: 'bake', id: d.bakeId! })}
                    >
                      {d.bakeId}
                    </Anchor>
                  )}
                  {d.detail && (
                    <Text size="xs" c="dimmed">
                      {d.detail}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
