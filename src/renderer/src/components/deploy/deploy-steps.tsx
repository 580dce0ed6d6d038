import { Group, Loader, Text, ThemeIcon, Timeline } from '@mantine/core';
import { IconBan, IconCheck, IconCircleDashed, IconPlayerSkipForward, IconX } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { DEPLOY_STEP_LABELS, type Deployment, type DeployStepState } from '../../../../shared/deploy';
import { formatDuration, sentence } from '../bake/bake-format';
import { useNow } from '../bake/use-now';

const LOOK: Record<DeployStepState['status'], { color: string; icon: ReactNode }> = {
  pending: { color: 'gray', icon: <IconCircleDashed size={14} aria-hidden /> },
  running: { color: 'blue', icon: <Loader size={12} color="white" aria-hidden /> },
  done: { color: 'teal', icon: <IconCheck size={14} stroke={3} aria-hidden /> },
  failed: { color: 'red', icon: <IconX size={14} stroke={3} aria-hidden /> },
  skipped: { color: 'gray', icon: <IconPlayerSkipForward size={12} aria-hidden /> },
  cancelled: { color: 'orange', icon: <IconBan size={14} aria-hidden /> },
};

function stepElapsed(step: DeployStepState, now: number): number | undefined {
  if (step.startedAt === undefined) return undefined;
  if (step.endedAt !== undefined) return step.endedAt - step.startedAt;
  return step.status === 'running' ? now - step.startedAt : undefined;
}

/** The deployment's steps top to bottom: state, time taken (ticking while it runs), what it did. */
export function DeploySteps({ record }: { record: Deployment }) {
  const steps = record.steps;
  const now = useNow(steps.some((s) => s.status === 'running'));
  const lastStarted = steps.reduce((last, s, i) => (s.status === 'pending' ? last : i), -1);
  return (
    <Timeline active={lastStarted} bulletSize={24} lineWidth={2} role="list" aria-label="Deployment steps">
      {steps.map((step) => {
        const elapsed = stepElapsed(step, now);
        return (
          <Timeline.Item
            key={step.step}
            role="listitem"
            aria-label={`${DEPLOY_STEP_LABELS[step.step]}: ${step.status}`}
            data-step={step.step}
            data-status={step.status}
            bullet={
              <ThemeIcon
                size={24}
                radius="xl"
                color={LOOK[step.status].color}
                variant={step.status === 'pending' || step.status === 'skipped' ? 'light' : 'filled'}
              >
                {LOOK[step.status].icon}
              </ThemeIcon>
            }
            title={
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <Text
                  size="sm"
                  fw={step.status === 'running' ? 600 : 500}
                  c={step.status === 'pending' ? 'dimmed' : undefined}
                >
                  {DEPLOY_STEP_LABELS[step.step]}
                </Text>
                <Text size="xs" c="dimmed" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                  {elapsed !== undefined
                    ? formatDuration(elapsed)
                    : step.status === 'skipped'
                      ? 'skipped'
                      : ''}
                </Text>
              </Group>
            }
          >
            {step.message && step.status !== 'pending' && (
              <Text size="xs" c="dimmed" mt={2} style={{ overflowWrap: 'anywhere' }} lineClamp={4}>
                {sentence(step.message)}
              </Text>
            )}
          </Timeline.Item>
        );
      })}
    </Timeline>
  );
}
