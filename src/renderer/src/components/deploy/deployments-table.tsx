import { Anchor, Badge, Paper, Table, Text, Title } from '@mantine/core';
import { useEffect } from 'react';
import { formatDateTime } from '../project/format';
import { useAppStore } from '../../state/app-store';
import { loadHistory, useDeployStore } from '../../state/deploy-store';
import { DEPLOY_STATUS_META, versionLabel } from './deploy-format';

/** A project's deployment history: who deployed which version to which group, when, and how it ended. */
export function DeploymentsTable({ project }: { project: string }) {
  const ids = useDeployStore((s) => s.history[project]);
  const records = useDeployStore((s) => s.records);
  const navigate = useAppStore((s) => s.navigate);
  useEffect(() => {
    void loadHistory(project).catch(() => undefined);
  }, [project]);
  const rows = (ids ?? []).flatMap((id) => (records[id] ? [records[id]] : []));
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h5" mb="sm" id="deployments-title">
        Deployments
      </Title>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          {ids
            ? 'No deployments yet: deploy a version to an Auto Scaling group from the table above.'
            : 'Loading…'}
        </Text>
      ) : (
        <Table verticalSpacing="xs" highlightOnHover aria-labelledby="deployments-title">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Started</Table.Th>
              <Table.Th>Version</Table.Th>
              <Table.Th>Group</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>By</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((d) => (
              <Table.Tr key={d.id} data-deployment={d.id}>
                <Table.Td>
                  <Anchor
                    component="button"
                    size="sm"
                    onClick={() => void navigate({ page: 'deployment', id: d.id })}
                    aria-label={`Open deployment ${d.id}`}
                  >
                    {formatDateTime(d.createdAt)}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{versionLabel(d)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">
                    {d.group} · {d.region}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge
                    color={DEPLOY_STATUS_META[d.status].color}
                    variant="light"
                    radius="sm"
                    data-status={d.status}
                  >
                    {DEPLOY_STATUS_META[d.status].label}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="xs">{`${d.by.user} via ${d.by.actor}`}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}
