import { Badge, Group, Progress, Stack, Text } from '@mantine/core';
import type { Published, RegionCopy } from '../../../../shared/bake';

const STATE_COLOR: Record<RegionCopy['state'], string> = {
  copying: 'blue',
  available: 'teal',
  failed: 'red',
  removed: 'gray',
};

/** Each region's copy as the copy step follows it: its AMI, its snapshots' progress, or why it failed. */
export function CopyProgress({ copies }: { copies: readonly RegionCopy[] }) {
  if (copies.length === 0) return null;
  return (
    <Stack gap={4} mt={4} role="list" aria-label="Copies">
      {copies.map((copy) => (
        <Stack key={copy.region} gap={2} role="listitem" aria-label={`${copy.region}: ${copy.state}`}>
          <Group gap={6} wrap="nowrap" justify="space-between">
            <Text size="xs" fw={500}>
              {copy.region}
            </Text>
            <Badge size="xs" variant="light" color={STATE_COLOR[copy.state]} style={{ flexShrink: 0 }}>
              {copy.state === 'copying' && copy.progress !== undefined
                ? `${Math.floor(copy.progress)}%`
                : copy.state}
            </Badge>
          </Group>
          <Text size="xs" ff="monospace" c="dimmed">
            {copy.imageId ?? 'starting…'}
          </Text>
          {copy.state === 'copying' && (
            <Progress size="xs" value={copy.progress ?? 0} aria-label={`Copy to ${copy.region}`} animated />
          )}
          {copy.message && (
            <Text size="xs" c="red" style={{ overflowWrap: 'anywhere' }}>
              {copy.message}
            </Text>
          )}
        </Stack>
      ))}
    </Stack>
  );
}

/** Which parameter the publish step points at which image, region by region. */
export function PublishedList({ published }: { published: readonly Published[] }) {
  if (published.length === 0) return null;
  return (
    <Stack gap={2} mt={4}>
      {published.map((p) => (
        <Text key={p.region} size="xs" c="dimmed" ff="monospace">
          {p.region}: {p.name} → {p.imageId}
        </Text>
      ))}
    </Stack>
  );
}
