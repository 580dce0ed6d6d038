import { Group, Paper, Progress, Stack, Text } from '@mantine/core';
import { STEP_LABELS, isFinalStatus, type BakeRecord } from '../../../../shared/bake';
import {
  STATUS_META,
  bakeElapsed,
  bakeProgress,
  currentStep,
  formatDuration,
  formatTime,
  queueMessage,
  sentence,
} from './bake-format';
import { useNow } from './use-now';

const TRIGGERS: Record<BakeRecord['trigger'], string> = {
  app: 'this app',
  cli: 'the command line',
  webhook: 'a webhook',
};

/** The whole bake at a glance: a progress bar, what is happening now, and where and when it runs. */
export function BakeProgressCard({ record }: { record: BakeRecord }) {
  const final = isFinalStatus(record.status);
  const now = useNow(!final, 1000);
  const percent = bakeProgress(record);
  const step = currentStep(record);
  const color = record.status === 'cancelled' ? 'gray.5' : STATUS_META[record.status].color;

  return (
    <Paper withBorder p="md">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" gap="md">
          <Text
            size="sm"
            fw={500}
            aria-live="polite"
            aria-label="Current step"
            style={{ overflowWrap: 'anywhere' }}
          >
            {headline(record, step?.step)}
          </Text>
          <Text
            size="sm"
            c="dimmed"
            ff="monospace"
            style={{ whiteSpace: 'nowrap' }}
            aria-label="Elapsed time"
          >
            {formatDuration(bakeElapsed(record, now))}
          </Text>
        </Group>
        <Progress
          value={percent}
          color={color}
          size="lg"
          radius="xl"
          striped={!final}
          animated={!final}
          aria-label="Bake progress"
        />
        {step?.message && !final && (
          <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            {sentence(step.message)}
          </Text>
        )}
        <Group gap="lg" mt={4}>
          <Fact label="Profile" value={record.profile} />
          <Fact label="Region" value={record.region} />
          {record.environment && <Fact label="Environment" value={record.environment} />}
          <Fact label="Started" value={formatTime(record.startedAt ?? record.createdAt, now)} />
          <Fact label="Started from" value={TRIGGERS[record.trigger]} />
        </Group>
      </Stack>
    </Paper>
  );
}

function headline(record: BakeRecord, step: keyof typeof STEP_LABELS | undefined): string {
  switch (record.status) {
    case 'queued':
      return queueMessage(record);
    case 'running':
      return step ? `${STEP_LABELS[step]}…` : 'Starting…';
    case 'cleaning-up':
      return 'Cleaning up what the bake created…';
    case 'succeeded':
      return record.imageId ? `Baked ${record.imageId}` : 'Succeeded';
    case 'failed':
      return step ? `Failed at ${STEP_LABELS[step]}` : 'Failed';
    case 'cancelled':
      return 'Cancelled';
    case 'interrupted':
      return 'Interrupted';
  }
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
