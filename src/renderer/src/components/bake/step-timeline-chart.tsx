import { Box, Group, Paper, Text, Title, Tooltip } from '@mantine/core';
import type { BakeRecord, StepStatus } from '../../../../shared/bake';
import { formatDuration, timelineBars } from './bake-format';
import './bake.css';

const BAR_COLOR: Record<StepStatus, string> = {
  pending: 'var(--mantine-color-gray-5)',
  running: 'var(--mantine-color-blue-6)',
  done: 'var(--mantine-color-teal-6)',
  failed: 'var(--mantine-color-red-6)',
  skipped: 'var(--mantine-color-gray-5)',
  cancelled: 'var(--mantine-color-orange-6)',
};

/** Where the time went: one bar per step on the bake's own time axis (a Gantt row per step). */
export function StepTimelineChart({ record }: { record: BakeRecord }) {
  const { bars, spanMs } = timelineBars(record);
  if (bars.length === 0) return null;
  return (
    <Paper withBorder p="md" component="figure" m={0} aria-labelledby="bake-timeline-title">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h5" id="bake-timeline-title">
          Timeline
        </Title>
        <Text size="xs" c="dimmed">
          {formatDuration(spanMs)} in all
        </Text>
      </Group>
      <Box className="qx-timeline" role="list">
        {bars.map((bar) => (
          <Box
            key={bar.step}
            className="qx-timeline-row"
            role="listitem"
            aria-label={`${bar.label}: ${formatDuration(bar.durationMs)}`}
          >
            <Text size="xs" className="qx-timeline-label" truncate>
              {bar.label}
            </Text>
            <Box className="qx-timeline-track">
              <Tooltip label={`${bar.label}: ${formatDuration(bar.durationMs)}`}>
                <Box
                  className="qx-timeline-bar"
                  style={{
                    left: `${bar.offset * 100}%`,
                    width: `max(3px, ${bar.width * 100}%)`,
                    background: BAR_COLOR[bar.status],
                  }}
                />
              </Tooltip>
            </Box>
            <Text size="xs" c="dimmed" ff="monospace" className="qx-timeline-duration">
              {formatDuration(bar.durationMs)}
            </Text>
          </Box>
        ))}
      </Box>
    </Paper>
  );
}
