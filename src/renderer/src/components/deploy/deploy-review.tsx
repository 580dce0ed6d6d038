import { Alert, Code, DataList, Group, Loader, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconArrowRight, IconInfoCircle } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { DeployPreview } from '../../../../shared/deploy';
import type { DeployStartRequest } from '../../../../shared/ipc/deploy.contract';
import { preferencesText } from './deploy-format';

/** What the deploy will change, as AWS sees the group now — or why it will not. */
export function DeployReview({
  request,
  current,
}: {
  request: DeployStartRequest | undefined;
  current: { result: DeployPreview } | { error: string } | undefined;
}) {
  if (!request) return null;
  if (!current) {
    return (
      <Group gap="xs" role="status">
        <Loader size="xs" />
        <Text size="sm" c="dimmed">
          Checking the group…
        </Text>
      </Group>
    );
  }
  if ('error' in current) {
    return (
      <Alert
        color="red"
        title="This deploy would be refused"
        role="alert"
        icon={<IconAlertTriangle size={18} aria-hidden />}
      >
        {current.error}
      </Alert>
    );
  }
  const p = current.result;
  return (
    <Alert
      color="blue"
      variant="light"
      title="Confirm the deploy"
      icon={<IconInfoCircle size={18} aria-hidden />}
      role="region"
    >
      <Stack gap="xs">
        <DataList size="sm" labelWidth={150} gap={4}>
          <Item label="Group">
            <Code>{p.group}</Code>
          </Item>
          <Item label="Region">{`${p.region} (profile ${p.profile}${p.simulated ? ', sandbox' : ''})`}</Item>
          <Item label="AMI">
            <Group gap={6} wrap="nowrap">
              <Code aria-label="Current AMI">{p.currentImageId ?? 'unknown'}</Code>
              <IconArrowRight size={14} aria-hidden />
              <Code aria-label="New AMI">{p.newImageId}</Code>
            </Group>
          </Item>
          <Item label="Desired capacity">{`${p.desiredCapacity} (${p.instances} running now)`}</Item>
          <Item label="Launch template">
            {`${p.launchTemplate.name}: version ${p.launchTemplate.currentVersion} → a new version${
              p.launchTemplate.groupVersion === '$Default' ? ' (the group follows $Default)' : ''
            }`}
          </Item>
          <Item label="Rollout">{preferencesText(p.preferences)}</Item>
          <Item label="Roll back by">
            {p.rollbackMode === 'aws'
              ? 'AWS (RollbackInstanceRefresh)'
              : 'Quadraxis (a refresh back to the previous version)'}
          </Item>
        </DataList>
        {p.warnings.map((w) => (
          <Text key={w} size="xs" c="dimmed">
            {w}
          </Text>
        ))}
      </Stack>
    </Alert>
  );
}

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <DataList.Item>
      <DataList.ItemLabel c="dimmed">{label}</DataList.ItemLabel>
      <DataList.ItemValue style={{ overflowWrap: 'anywhere' }}>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}
