import {
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Group,
  Loader,
  Modal,
  Paper,
  Progress,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { IconArrowBackUp, IconArrowLeft, IconPlayerStop } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { isFinalDeployStatus, type Deployment } from '../../../shared/deploy';
import { api, errorMessage, unwrap } from '../api';
import { SimulatedBadge } from '../components/bake/status-badge';
import { formatDuration } from '../components/bake/bake-format';
import { useNow } from '../components/bake/use-now';
import {
  DEPLOY_STATUS_META,
  deployHeadline,
  deployProgress,
  preferencesText,
  versionLabel,
} from '../components/deploy/deploy-format';
import { DeploySteps } from '../components/deploy/deploy-steps';
import { InstancesTable } from '../components/deploy/instances-table';
import { useAppStore } from '../state/app-store';
import { openDeployment, remember, useDeployStore } from '../state/deploy-store';

const OUTCOME_COLOR: Record<Deployment['status'], string> = {
  running: 'blue',
  succeeded: 'teal',
  failed: 'red',
  cancelled: 'gray',
  'rolled-back': 'orange',
  interrupted: 'yellow',
};

/** One deployment, live: the refresh's progress, the steps, the group's instances, and roll back. */
export function DeploymentPage({ id }: { id: string }) {
  const record = useDeployStore((s) => s.records[id]);
  const loadError = useDeployStore((s) => s.loadErrors[id]);
  const navigate = useAppStore((s) => s.navigate);
  useEffect(() => {
    void openDeployment(id);
  }, [id]);

  if (loadError && !record) {
    return (
      <Alert color="red" title="This deployment could not be shown" role="alert">
        {loadError}
      </Alert>
    );
  }
  if (!record) return <Loader aria-label="Loading the deployment" />;
  const final = isFinalDeployStatus(record.status);
  const meta = DEPLOY_STATUS_META[record.status];

  return (
    <Box data-deployment-id={id} data-deployment-status={record.status}>
      <Anchor
        component="button"
        size="sm"
        mb="xs"
        onClick={() => void navigate({ page: 'project', name: record.project })}
      >
        <Group gap={4}>
          <IconArrowLeft size={14} aria-hidden />
          {record.project}
        </Group>
      </Anchor>
      <Group justify="space-between" align="flex-start" mb="lg" wrap="nowrap">
        <Stack gap={6}>
          <Group gap="sm">
            <Title order={2}>{`${record.project} → ${record.group}`}</Title>
            <Badge color={meta.color} variant="light" size="lg" radius="sm" data-status={record.status}>
              {meta.label}
            </Badge>
            {record.simulated && <SimulatedBadge size="lg" />}
          </Group>
          <Text size="sm" c="dimmed">
            {`${versionLabel(record)} · ${record.imageId} · ${record.region} · profile ${record.profile} · ${record.id}`}
          </Text>
        </Stack>
        <Actions record={record} />
      </Group>
      <Stack gap="lg">
        <ProgressCard record={record} />
        {final && (
          <Alert color={OUTCOME_COLOR[record.status]} title={meta.label} role="alert">
            {record.message}
          </Alert>
        )}
        {record.warnings.length > 0 && !final && (
          <Alert color="yellow" variant="light" title="Good to know">
            {record.warnings.join(' ')}
          </Alert>
        )}
        <Group align="flex-start" gap="lg" wrap="nowrap">
          <Paper withBorder p="md" w={300} style={{ flex: 'none' }}>
            <Title order={3} size="h5" mb="md">
              Steps
            </Title>
            <DeploySteps record={record} />
          </Paper>
          <Box style={{ flex: 1, minWidth: 0 }}>
            <InstancesTable record={record} />
          </Box>
        </Group>
      </Stack>
    </Box>
  );
}

function ProgressCard({ record }: { record: Deployment }) {
  const final = isFinalDeployStatus(record.status);
  const now = useNow(!final, 1000);
  const { percent, toUpdate, rollingBack } = deployProgress(record);
  const elapsed = (record.endedAt ?? now) - record.createdAt;
  const reason = record.refresh?.statusReason;
  const change = record.launchTemplate;
  return (
    <Paper withBorder p="md">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <Text size="sm" fw={500} aria-live="polite" aria-label="Deployment progress text">
            {deployHeadline(record)}
          </Text>
          <Text size="sm" c="dimmed" ff="monospace">
            {formatDuration(elapsed)}
          </Text>
        </Group>
        <Progress
          value={percent}
          color={rollingBack ? 'orange' : DEPLOY_STATUS_META[record.status].color}
          size="lg"
          radius="xl"
          striped={!final}
          animated={!final}
          aria-label={rollingBack ? 'Rollback progress' : 'Refresh progress'}
          aria-valuenow={percent}
        />
        {!final && reason && (
          <Text size="xs" c="dimmed">
            {reason}
          </Text>
        )}
        <Group gap="lg" mt={4}>
          <Fact
            label="Instance refresh"
            value={
              record.refresh ? `${record.refresh.status} · ${record.refresh.percentage} %` : 'not started'
            }
          />
          <Fact label="To update" value={toUpdate === undefined ? '–' : String(toUpdate)} />
          <Fact
            label="Launch template"
            value={
              change
                ? `${change.name} v${change.previousVersion} → ${change.newVersion !== undefined ? `v${change.newVersion}` : '…'}`
                : '–'
            }
          />
          <Fact label="Rollout" value={preferencesText(record.preferences)} />
          <Fact label="By" value={`${record.by.user} (${record.by.actor})`} />
        </Group>
      </Stack>
    </Paper>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{value}</Text>
    </Stack>
  );
}

/** Cancel while the refresh runs; roll back during it, or after a successful deployment. */
function Actions({ record }: { record: Deployment }) {
  const [asking, setAsking] = useState<'cancel' | 'rollback'>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const navigate = useAppStore((s) => s.navigate);
  const running = record.status === 'running';
  const canRollBack =
    (running && record.refreshId !== undefined && !record.rollbackRefreshId) || record.status === 'succeeded';
  const rollingBack =
    record.refresh?.status === 'RollbackInProgress' || record.rollbackRefreshId !== undefined;

  const act = async () => {
    setBusy(true);
    setError(undefined);
    try {
      if (asking === 'cancel') await unwrap(api.deploy.cancel(record.id));
      else {
        const rolled = await unwrap(api.deploy.rollback(record.id));
        remember(rolled);
        if (rolled.id !== record.id) void navigate({ page: 'deployment', id: rolled.id });
      }
      setAsking(undefined);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const previous = record.launchTemplate
    ? `version ${record.launchTemplate.previousVersion} of ${record.launchTemplate.name}`
    : 'its previous version';
  return (
    <Group gap="sm">
      {running && !rollingBack && (
        <Button
          variant="default"
          leftSection={<IconPlayerStop size={16} aria-hidden />}
          onClick={() => setAsking('cancel')}
        >
          Cancel refresh
        </Button>
      )}
      {canRollBack && !rollingBack && (
        <Button
          color="orange"
          leftSection={<IconArrowBackUp size={16} aria-hidden />}
          onClick={() => setAsking('rollback')}
        >
          Roll back
        </Button>
      )}
      <Modal
        opened={asking !== undefined}
        onClose={() => setAsking(undefined)}
        title={asking === 'cancel' ? 'Cancel the instance refresh?' : 'Roll back?'}
        centered
      >
        <Stack gap="md">
          <Text size="sm">
            {asking === 'cancel'
              ? `AWS stops replacing instances of ${record.group}. Instances already replaced keep the new image until you roll back.`
              : running
                ? `AWS (or Quadraxis, for a group on $Default) replaces the instances this deployment launched with ${previous}, keeping the group's capacity as the rollout does.`
                : `A new deployment returns ${record.group} to ${previous} (${record.launchTemplate?.previousImageId ?? 'its previous AMI'}), replacing every instance that runs ${record.imageId}.`}
          </Text>
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setAsking(undefined)}>
              Keep going
            </Button>
            <Button color={asking === 'cancel' ? 'red' : 'orange'} loading={busy} onClick={() => void act()}>
              {asking === 'cancel' ? 'Cancel refresh' : 'Roll back'}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Group>
  );
}
