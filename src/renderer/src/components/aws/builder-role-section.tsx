import { Anchor, Badge, Code, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import type { BuilderRoleCheck, BuilderRoleRead, BuilderRoleStatus } from '../../../../shared/aws';
import {
  BUILDER_ROLE_STATUS_LABELS,
  builderRoleScope,
  builderRoleSummary,
  isDenied,
} from '../../../../shared/builder-role-words';

const COLORS: Record<BuilderRoleStatus, string> = {
  allowed: 'teal',
  denied: 'red',
  'no-profile': 'red',
  'no-such-profile': 'red',
  'no-role': 'red',
  unchecked: 'gray',
  error: 'orange',
  'no-such-secret': 'red',
};

/**
 * What IAM says of the builder's instance role: one card per profile, region and set of references (the
 * project's own values, environments that share them, each environment that differs), one row per read.
 */
export function BuilderRoleSection({ checks }: { checks: BuilderRoleCheck[] }) {
  return (
    <Stack gap="xs" component="section" aria-label="Builder's instance role" mt="sm">
      <div>
        <Title order={4} size="h6">
          Builder&apos;s instance role
        </Title>
        <Text size="xs" c="dimmed">
          The builder reads the env references with its instance profile&apos;s role. IAM&apos;s policy
          simulator answers for that role; no value is read.
        </Text>
      </div>
      {checks.map((check) => (
        <RoleCard key={`${check.scope.project}:${check.scope.environments.join(',')}`} check={check} />
      ))}
    </Stack>
  );
}

function RoleCard({ check }: { check: BuilderRoleCheck }) {
  const scope = builderRoleScope(check.scope);
  return (
    <Paper withBorder p="sm" data-status={check.status} aria-label={`Builder role for ${scope}`}>
      <Stack gap={6}>
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <div>
            <Text size="sm" fw={600}>
              {scope[0]!.toUpperCase()}
              {scope.slice(1)}
            </Text>
            <Text size="xs" c="dimmed">
              {check.profile ? (
                <>
                  Instance profile <Code>{check.profile}</Code>
                </>
              ) : (
                'No instance profile'
              )}
              {check.roleArn && (
                <>
                  {' · role '}
                  <Code>{check.roleArn}</Code>
                </>
              )}
            </Text>
          </div>
          <Badge color={COLORS[check.status]} variant="light" style={{ flexShrink: 0 }}>
            {BUILDER_ROLE_STATUS_LABELS[check.status]}
          </Badge>
        </Group>
        <Text size="sm" c={check.status === 'allowed' || check.status === 'unchecked' ? undefined : 'red'}>
          {builderRoleSummary(check)}
        </Text>
        {check.reads.length > 0 && <Reads reads={check.reads} />}
        {check.status !== 'allowed' && check.status !== 'error' && (
          <Text size="xs" c="dimmed">
            What the role needs is the{' '}
            <Anchor component="button" type="button" size="xs" onClick={showInstanceRolePolicy}>
              builder instance-role policy
            </Anchor>{' '}
            in the IAM policy panel.
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

function Reads({ reads }: { reads: BuilderRoleRead[] }) {
  return (
    <Table verticalSpacing={4} aria-label="Referenced reads">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Variable</Table.Th>
          <Table.Th>Read</Table.Th>
          <Table.Th>IAM says</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {reads.map((r) => (
          <Table.Tr key={r.variable} data-decision={r.decision ?? 'unasked'}>
            <Table.Td>
              <Text size="sm" ff="monospace">
                {r.variable}
              </Text>
              <Text size="xs" ff="monospace" c="dimmed">
                {r.reference}
              </Text>
            </Table.Td>
            <Table.Td>
              <Text size="xs" ff="monospace" fw={600}>
                {r.action}
              </Text>
              <Text size="xs" ff="monospace" c="dimmed" style={{ wordBreak: 'break-all' }}>
                {r.resource}
              </Text>
            </Table.Td>
            <Table.Td>
              {r.problem === 'no-such-secret' ? (
                <Badge color="red" variant="light" title={r.why}>
                  No such secret
                </Badge>
              ) : r.problem === 'unchecked' ? (
                <Badge color="gray" variant="light" title={r.why}>
                  Not checkable
                </Badge>
              ) : r.decision === undefined ? (
                <Badge color="gray" variant="light">
                  Not asked
                </Badge>
              ) : (
                <Badge color={isDenied(r) ? 'red' : 'teal'} variant="light" title={r.decision}>
                  {isDenied(r) ? `Denied (${r.decision})` : 'Allowed'}
                </Badge>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The policy panel below prints the instance-role policy: bring it into view. */
function showInstanceRolePolicy(): void {
  document
    .querySelector('[aria-label="Instance-role policy"]')
    ?.scrollIntoView({ behavior: 'smooth', block: 'start' });
}
