import { Alert, Badge, Group, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { warningsHeading, type BakeRecord } from '../../../../shared/bake';

/**
 * cloud-init's own list of recoverable errors for a #cloud-config bake (a misspelled key, a deprecated
 * one, a module that could not do its part), and what they meant for this bake.
 */
export function CloudInitWarnings({ record }: { record: BakeRecord }) {
  const warnings = record.warnings ?? [];
  if (warnings.length === 0) return null;
  const succeeded = record.status === 'succeeded';
  const title = warningsHeading(warnings);
  return (
    <Alert
      color={succeeded ? 'yellow' : 'red'}
      variant="light"
      icon={<IconAlertTriangle size={20} aria-hidden />}
      title={title}
      role="region"
      aria-label={title}
      styles={{ body: { minWidth: 0 } }}
    >
      <Text size="sm" mb="xs">
        {succeeded
          ? 'The project accepts cloud-config warnings, so the image was made. Check that each one is harmless: the config may not have done all it says.'
          : 'The project fails a bake on cloud-config warnings (the default), so nothing was imaged. Fix the config, or accept warnings in the project’s Completion settings.'}
      </Text>
      <Stack gap={6} role="list" aria-label="cloud-init warnings">
        {warnings.map((w, i) => (
          <Group key={i} gap="xs" wrap="nowrap" align="flex-start" role="listitem">
            <Badge size="sm" variant="outline" color="gray" radius="sm" style={{ flex: 'none' }}>
              {w.level}
            </Badge>
            <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere', minWidth: 0 }}>
              {w.message}
            </Text>
          </Group>
        ))}
      </Stack>
    </Alert>
  );
}
