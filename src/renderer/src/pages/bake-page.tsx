import { Alert, Anchor, Box, Group, Loader, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconLink } from '@tabler/icons-react';
import { useEffect } from 'react';
import { isFinalStatus } from '../../../shared/bake';
import { BakeButton } from '../components/bake/bake-button';
import { BakeOutcomeAlert } from '../components/bake/bake-outcome-alert';
import { BakeProgressCard } from '../components/bake/bake-progress-card';
import { BakeResult } from '../components/bake/bake-result';
import { CancelBakeButton } from '../components/bake/cancel-bake-button';
import { CloudInitWarnings } from '../components/bake/cloud-init-warnings';
import { ConsoleView } from '../components/bake/console-view';
import { EnvironmentBadge } from '../components/bake/environment-badge';
import { BakeStatusBadge, SimulatedBadge } from '../components/bake/status-badge';
import { StepList } from '../components/bake/step-list';
import { StepTimelineChart } from '../components/bake/step-timeline-chart';
import { useConsoleWatch } from '../components/bake/use-console-watch';
import { DeployButton } from '../components/deploy/deploy-button';
import { useAppStore } from '../state/app-store';
import { closeBake, consoleOf, openBake, useBakesStore } from '../state/bakes-store';

/** One bake, live: progress, steps, the builder's console, and the result or what went wrong. */
export function BakePage({ id }: { id: string }) {
  const record = useBakesStore((s) => s.records[id]);
  const version = useBakesStore((s) => s.versions[id]);
  const loadError = useBakesStore((s) => s.loadErrors[id]);
  const navigate = useAppStore((s) => s.navigate);

  useEffect(() => {
    void openBake(id);
    return () => closeBake(id);
  }, [id]);
  useConsoleWatch(id, record !== undefined && !isFinalStatus(record.status));

  const back = (
    <Anchor component="button" size="sm" onClick={() => void navigate({ page: 'bakes' })} mb="xs">
      <Group gap={4}>
        <IconArrowLeft size={14} aria-hidden />
        All bakes
      </Group>
    </Anchor>
  );

  if (loadError && !record) {
    return (
      <>
        {back}
        <Alert color="red" title="This bake could not be shown" role="alert">
          {loadError}
        </Alert>
      </>
    );
  }
  const lines = consoleOf(id);
  if (!record || !lines) return <Loader aria-label="Loading the bake" />;
  const final = isFinalStatus(record.status);

  return (
    <Box data-bake-id={id} data-bake-status={record.status}>
      {back}
      <Group justify="space-between" align="flex-start" mb="lg" wrap="nowrap">
        <Stack gap={6}>
          <Group gap="sm">
            <Title order={2}>
              <Anchor
                component="button"
                inherit
                c="inherit"
                onClick={() => void navigate({ page: 'project', name: record.project })}
                aria-label={`Open project ${record.project}`}
              >
                {record.project}
              </Anchor>
            </Title>
            <EnvironmentBadge environment={record.environment} size="lg" />
            <BakeStatusBadge status={record.status} size="lg" warnings={record.warnings?.length ?? 0} />
            {record.simulated && <SimulatedBadge size="lg" />}
          </Group>
          <Text size="sm" c="dimmed">
            {record.version !== undefined ? `Version ${record.version} · ` : ''}
            Bake {record.id}
          </Text>
        </Stack>
        <Group gap="sm">
          {!final && <CancelBakeButton bakeId={record.id} project={record.project} />}
          {record.status === 'succeeded' && record.version !== undefined && (
            <DeployButton project={record.project} version={record.version} />
          )}
          {final && (
            <BakeButton
              project={record.project}
              label="Bake again"
              {...(record.environment ? { environment: record.environment } : {})}
            />
          )}
        </Group>
      </Group>

      <Stack gap="lg">
        <BakeProgressCard record={record} />
        {record.joinedTo && (
          <Alert
            color="blue"
            variant="light"
            icon={<IconLink size={18} aria-hidden />}
            title="Joined an identical bake"
          >
            <Text size="sm">
              An identical bake was already running, so this one launched nothing of its own: it follows{' '}
              <Anchor
                component="button"
                size="sm"
                onClick={() => void navigate({ page: 'bake', id: record.joinedTo! })}
              >
                {record.joinedTo}
              </Anchor>{' '}
              and ends with the same image.
            </Text>
          </Alert>
        )}
        <BakeOutcomeAlert record={record} />
        <CloudInitWarnings record={record} />
        {record.status === 'succeeded' ? (
          <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg" style={{ alignItems: 'start' }}>
            <BakeResult record={record} version={version} />
            <StepTimelineChart record={record} />
          </SimpleGrid>
        ) : (
          final && <StepTimelineChart record={record} />
        )}

        <Group align="stretch" gap="lg" wrap="nowrap">
          <Paper withBorder p="md" w={320} style={{ flex: 'none' }}>
            <Title order={3} size="h5" mb="md">
              Steps
            </Title>
            <StepList record={record} />
          </Paper>
          <Box className="qx-console-slot">
            <ConsoleView bakeId={record.id} project={record.project} lines={lines} live={!final} />
          </Box>
        </Group>
      </Stack>
    </Box>
  );
}
