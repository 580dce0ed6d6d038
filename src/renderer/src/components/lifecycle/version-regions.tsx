import { Badge, Group, Stack, Text, Tooltip } from '@mantine/core';
import type { VersionSummary } from '../../../../shared/ipc/versions.contract';

/** Every region a version's image went to, each with its AMI; the regions a partial distribution missed. */
export function VersionRegions({ version }: { version: VersionSummary }) {
  const images = version.images ?? [{ region: version.region, imageId: version.imageId, encrypted: false }];
  return (
    <Stack gap={2}>
      {images.map((image) => (
        <Group key={image.region} gap={6} wrap="nowrap">
          <Text size="xs" w={96} style={{ flexShrink: 0 }}>
            {image.region}
          </Text>
          <Text size="xs" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
            {image.imageId}
          </Text>
          {image.encrypted && (
            <Tooltip label={'kmsKeyId' in image && image.kmsKeyId ? image.kmsKeyId : 'encrypted'}>
              <Badge size="xs" variant="light" tabIndex={0} style={{ flexShrink: 0 }}>
                KMS
              </Badge>
            </Tooltip>
          )}
        </Group>
      ))}
      {(version.missingRegions ?? []).map((m) => (
        <Tooltip key={m.region} label={m.reason} multiline w={320}>
          <Text size="xs" c="orange" tabIndex={0} w="fit-content">
            {m.region}: not copied
          </Text>
        </Tooltip>
      ))}
      {version.ssmParameter && (
        <Text size="xs" c="dimmed" ff="monospace">
          {version.ssmParameter}
        </Text>
      )}
    </Stack>
  );
}
