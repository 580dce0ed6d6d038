import { Group, Loader, Text, ThemeIcon, Timeline } from '@mantine/core';
import { IconBan, IconCheck, IconCircleDashed, IconPlayerSkipForward, IconX } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { STEP_LABELS, type BakeRecord, type StepState, type StepStatus } from '../../../../shared/bake';
import { CopyProgress, PublishedList } from '../lifecycle/copy-progress';
import { STEP_STATUS_LABELS, formatDuration, sentence, stepElapsed, visibleSteps } from './bake-format';
import { useNow } from './use-now';

const STEP_LOOK: Record<StepStatus, { color: string; icon: ReactNode }> = {
  pending: { color: 'gray', icon: <IconCircleDashed size={14} aria-hidden /> },
  running: { color: 'blue', icon: <Loader size={12} color="white" aria-hidden /> },
  done: { color: 'teal', icon: <IconCheck size={14} stroke={3} aria-hidden /> },
  failed: { color: 'red', icon: <IconX size={14} stroke={3} aria-hidden /> },
  skipped: { color: 'gray', icon: <IconPlayerSkipForward size={12} aria-hidden /> },
  cancelled: { color: 'orange', icon: <IconBan size={14} aria-hidden /> },
};

/** The pipeline top to bottom: a state icon, the time each step took (ticking while it runs), its message. */
export function StepList({ record }: { record: BakeRecord }) {
  const steps = visibleSteps(record);
  const now = useNow(steps.some((s) => s.status === 'running'));
  const lastStarted = steps.reduce((last, s, i) => (s.status === 'pending' ? last : i), -1);

  return (
    <Timeline active={lastStarted} bulletSize={24} lineWidth={2} role="list" aria-label="Bake steps">
      {steps.map((step) => (
        <Timeline.Item
          key={step.step}
          role="listitem"
          aria-label={stepLabel(step, now)}
          aria-current={step.status === 'running' ? 'step' : undefined}
          data-step={step.step}
          data-status={step.status}
          bullet={
            <ThemeIcon
              size={24}
              radius="xl"
              color={STEP_LOOK[step.status].color}
              variant={step.status === 'pending' || step.status === 'skipped' ? 'light' : 'filled'}
            >
              {STEP_LOOK[step.status].icon}
            </ThemeIcon>
          }
          title={<StepTitle step={step} now={now} />}
        >
          {step.message && step.status !== 'pending' && (
            <Text size="xs" c="dimmed" mt={2} style={{ overflowWrap: 'anywhere' }} lineClamp={3}>
              {sentence(step.message)}
            </Text>
          )}
          {step.step === 'copy' && <CopyProgress copies={record.copies ?? []} />}
          {step.step === 'publish' && step.status !== 'done' && (
            <PublishedList published={record.published ?? []} />
          )}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}

function StepTitle({ step, now }: { step: StepState; now: number }) {
  const elapsed = stepElapsed(step, now);
  const quiet = step.status === 'pending' || step.status === 'skipped';
  return (
    <Group justify="space-between" wrap="nowrap" gap="xs">
      <Text size="sm" fw={step.status === 'running' ? 600 : 500} c={quiet ? 'dimmed' : undefined}>
        {STEP_LABELS[step.step]}
      </Text>
      <Text size="xs" c="dimmed" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
        {elapsed !== undefined ? formatDuration(elapsed) : step.status === 'skipped' ? 'skipped' : ''}
      </Text>
    </Group>
  );
}

function stepLabel(step: StepState, now: number): string {
  const elapsed = stepElapsed(step, now);
  const time = elapsed !== undefined ? `, ${formatDuration(elapsed)}` : '';
  return `${STEP_LABELS[step.step]}: ${STEP_STATUS_LABELS[step.status]}${time}`;
}
