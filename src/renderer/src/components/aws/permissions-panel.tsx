import { Alert, Badge, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { IconShieldCheck } from '@tabler/icons-react';
import { useState } from 'react';
import type { PermissionReport } from '../../../../shared/aws';
import type { ProjectInput } from '../../../../shared/project';
import { api, errorMessage, unwrap } from '../../api';
import { BuilderRoleSection } from './builder-role-section';

const STATUS = {
  allowed: { color: 'teal', label: 'Allowed' },
  denied: { color: 'red', label: 'Denied' },
  error: { color: 'orange', label: 'Error' },
  unchecked: { color: 'gray', label: 'Not checkable' },
} as const;

/** Dry-runs every call a bake of this project makes, as the chosen profile, and shows each answer. */
export function PermissionsPanel({ project, blocked }: { project?: ProjectInput; blocked?: string }) {
  const [report, setReport] = useState<PermissionReport>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const check = async () => {
    if (!project) return;
    setBusy(true);
    setError(undefined);
    try {
      setReport(await unwrap(api.aws.checkPermissions({ project })));
    } catch (e) {
      setReport(undefined);
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const failed = report?.results.filter((r) => r.status !== 'allowed' && r.status !== 'unchecked') ?? [];
  const roleFailures =
    report?.builderRole?.filter((c) => c.status !== 'allowed' && c.status !== 'unchecked') ?? [];
  return (
    <Paper withBorder p="md" component="section" aria-label="Permission check">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <div>
            <Title order={3} size="h5">
              Permission check
            </Title>
            <Text size="xs" c="dimmed">
              Dry-runs every EC2 and SSM call a bake of this project makes, with its real settings, and asks
              IAM whether the builder&apos;s role may read what the env references. Nothing is launched.
            </Text>
          </div>
          <Button
            leftSection={<IconShieldCheck size={16} aria-hidden />}
            onClick={() => void check()}
            loading={busy}
            disabled={!project}
          >
            Check permissions
          </Button>
        </Group>
        {blocked && (
          <Text size="sm" c="dimmed">
            {blocked}
          </Text>
        )}
        {error && (
          <Alert color="red" title="The check could not run">
            {error}
          </Alert>
        )}
        {report && (
          <>
            <Alert
              color={report.ok ? 'teal' : 'red'}
              title={
                report.ok
                  ? report.results.some((r) => r.status === 'unchecked')
                    ? `All ${report.results.filter((r) => r.status === 'allowed').length} checkable actions are allowed`
                    : `All ${report.results.length} actions are allowed`
                  : failureTitle(failed.length, report.results.length, roleFailures.length)
              }
            >
              As{' '}
              <Text span ff="monospace" size="sm">
                {report.identity.arn}
              </Text>{' '}
              (profile {report.target.profile}, {report.target.region}
              {report.target.simulated ? ', simulated' : ''})
              {report.baseImage
                ? `, launching ${report.baseImage.imageId} (${report.baseImage.architecture}).`
                : '.'}
            </Alert>
            <Table verticalSpacing={6} aria-label="Permission results">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Result</Table.Th>
                  <Table.Th>What EC2 said</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {report.results.map((r) => (
                  <Table.Tr key={r.action} data-status={r.status}>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {r.action}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={STATUS[r.status].color} variant="light">
                        {STATUS[r.status].label}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {r.code && (
                        <Text size="xs" ff="monospace" fw={600}>
                          {r.code}
                        </Text>
                      )}
                      {r.message && <Text size="xs">{r.message}</Text>}
                      {r.note && (
                        <Text size="xs" c="dimmed">
                          {r.note}
                        </Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {report.builderRole && <BuilderRoleSection checks={report.builderRole} />}
          </>
        )}
      </Stack>
    </Paper>
  );
}

function failureTitle(failedActions: number, actions: number, failedRoles: number): string {
  if (failedActions === 0) return "The builder's instance role falls short";
  const role = failedRoles > 0 ? "; the builder's instance role falls short" : '';
  return `${failedActions} of ${actions} actions would fail${role}`;
}
