import { Badge, Paper, Table, Text, Title } from '@mantine/core';
import type { Deployment } from '../../../../shared/deploy';

const LIFECYCLE_COLOR: Record<string, string> = {
  InService: 'teal',
  Pending: 'blue',
  Terminating: 'orange',
  Terminated: 'gray',
};

/** The group's instances one by one, as AWS last reported them: which AMI each runs, in or out of service. */
export function InstancesTable({ record }: { record: Deployment }) {
  const previous = record.launchTemplate?.previousImageId;
  const inService = record.instances.filter(
    (i) => i.lifecycleState === 'InService' && i.health === 'Healthy',
  ).length;
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h5" mb={4}>
        Instances
      </Title>
      <Text size="xs" c="dimmed" mb="sm" aria-label="In service">
        {`${inService} in service of ${record.desiredCapacity ?? record.instances.length} desired`}
      </Text>
      {record.instances.length === 0 ? (
        <Text size="sm" c="dimmed">
          The group has no instances.
        </Text>
      ) : (
        <Table verticalSpacing={6} aria-label="Group instances">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Instance</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Health</Table.Th>
              <Table.Th>Image · template version</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {record.instances.map((i) => {
              const isNew = i.imageId === record.imageId;
              const which = isNew ? 'new' : i.imageId && i.imageId === previous ? 'previous' : undefined;
              return (
                <Table.Tr key={i.instanceId} data-instance={i.instanceId} data-lifecycle={i.lifecycleState}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Text size="xs" ff="monospace">
                      {i.instanceId}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {i.availabilityZone ?? ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge
                      size="sm"
                      variant="light"
                      color={LIFECYCLE_COLOR[i.lifecycleState] ?? 'gray'}
                      style={{ overflow: 'visible' }}
                    >
                      {i.lifecycleState}
                    </Badge>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Text size="xs" c={i.health === 'Healthy' ? 'teal' : 'red'} fw={500}>
                      {i.health}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Text
                      size="xs"
                      ff="monospace"
                      fw={isNew ? 600 : 400}
                      c={isNew ? undefined : 'dimmed'}
                      span
                    >
                      {i.imageId ?? ''}
                    </Text>
                    <Text size="xs" c="dimmed" span>
                      {`${which ? ` (${which})` : ''}${i.launchTemplateVersion ? ` · v${i.launchTemplateVersion}` : ''}`}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}
