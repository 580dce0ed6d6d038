import { Alert, Group, Paper, Progress, Skeleton, Stack, Text } from '@mantine/core';
import { formatBytes, sizeVerdict } from '../../../../shared/script-diagnostics';
import type { MeasureState } from './use-script-measure';

const COLORS = { ok: 'teal', gzip: 'yellow', over: 'red' } as const;

/** EC2's 16 KB user-data limit, against what the bake will really send (wrapper included, gzip when needed). */
export function ScriptSizeMeter({ state }: { state: MeasureState }) {
  if (state.status === 'loading') return <Skeleton h={86} radius="sm" />;
  if (state.status === 'error') {
    return (
      <Alert color="red" title="Could not measure the user data">
        {state.message}
      </Alert>
    );
  }
  const { size } = state;
  const verdict = sizeVerdict(size);
  const percent = Math.min(100, (verdict.sentBytes / size.limitBytes) * 100);
  return (
    <Paper withBorder p="sm" role="group" aria-label="User data size" data-level={verdict.level}>
      <Stack gap={6}>
        <Group justify="space-between" gap="xs">
          <Text size="sm" fw={600}>
            User data
          </Text>
          <Text size="sm" ff="monospace" aria-label="Bytes sent">
            {formatBytes(verdict.sentBytes)} / {formatBytes(size.limitBytes)}
            {verdict.level !== 'ok' ? ' gzipped' : ''}
          </Text>
        </Group>
        <Progress
          value={percent}
          color={COLORS[verdict.level]}
          size="md"
          aria-label={`User data: ${Math.round(percent)}% of EC2's limit`}
        />
        <Text size="xs" c={verdict.level === 'over' ? 'red' : 'dimmed'}>
          {verdict.message}
        </Text>
        {verdict.level === 'ok' && (
          <Text size="xs" c="dimmed">
            Raw {formatBytes(size.rawBytes)} · gzip would make it {formatBytes(size.gzipBytes)}.
          </Text>
        )}
        {size.refused && (
          <Text size="xs" c="red">
            {size.refused}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
