import {
  ActionIcon,
  Alert,
  Button,
  Code,
  CopyButton,
  DataList,
  Group,
  Paper,
  Table,
  Text,
  ThemeIcon,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconCheck, IconCircleCheck, IconCopy, IconExternalLink, IconFlask } from '@tabler/icons-react';
import { useState } from 'react';
import type { BakeRecord } from '../../../../shared/bake';
import { amiConsoleUrl } from '../../../../shared/external-links';
import type { BakeVersionSummary } from '../../../../shared/ipc/bake.contract';
import { api, errorMessage, unwrap } from '../../api';
import { formatDuration } from './bake-format';

/** A succeeded bake: the AMI to use, where to see it, what it was tagged with and how long it took. */
export function BakeResult({ record, version }: { record: BakeRecord; version?: BakeVersionSummary }) {
  const imageId = record.imageId;
  const [openError, setOpenError] = useState<string>();
  if (!imageId) return null;
  const duration =
    record.startedAt !== undefined && record.endedAt !== undefined
      ? formatDuration(record.endedAt - record.startedAt)
      : undefined;
  // The project's own tags first; the ones Quadraxis adds for bookkeeping after them, quieter.
  const tags = Object.entries(version?.tags ?? {}).sort(
    ([a], [b]) => Number(isQuadraxisTag(a)) - Number(isQuadraxisTag(b)) || a.localeCompare(b),
  );

  const openConsole = async () => {
    setOpenError(undefined);
    try {
      await unwrap(api.app.openExternal(amiConsoleUrl(record.region, imageId)));
    } catch (error) {
      setOpenError(errorMessage(error));
    }
  };

  return (
    <Paper withBorder p="lg" aria-labelledby="bake-result-title" role="region">
      <Group gap="sm" mb="md" wrap="nowrap">
        <ThemeIcon color={record.warnings?.length ? 'yellow' : 'teal'} variant="light" size="lg" radius="xl">
          <IconCircleCheck size={20} aria-hidden />
        </ThemeIcon>
        <div>
          <Title order={3} size="h4" id="bake-result-title">
            {record.warnings?.length ? 'Image ready, with cloud-init warnings' : 'Image ready'}
          </Title>
          <Text size="sm" c="dimmed">
            {version
              ? `Recorded as version ${version.version} of ${record.project}`
              : `Baked from ${record.project}`}
            {duration ? ` in ${duration}` : ''}.
          </Text>
        </div>
      </Group>

      <Group gap="xs" mb="md" wrap="nowrap">
        <Code fz="lg" px="sm" py={6} aria-label="AMI id">
          {imageId}
        </Code>
        <CopyButton value={imageId}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? 'Copied' : 'Copy AMI id'}>
              <ActionIcon
                variant="subtle"
                color={copied ? 'teal' : 'gray'}
                onClick={copy}
                aria-label="Copy AMI id"
                size="lg"
              >
                {copied ? <IconCheck size={18} aria-hidden /> : <IconCopy size={18} aria-hidden />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
        {!record.simulated && (
          <Button
            variant="light"
            leftSection={<IconExternalLink size={16} aria-hidden />}
            onClick={() => void openConsole()}
          >
            Open in AWS console
          </Button>
        )}
      </Group>

      {record.simulated && (
        <Alert color="grape" variant="light" icon={<IconFlask size={18} aria-hidden />} mb="md" p="sm">
          This image is simulated: it exists only in the offline Sandbox, so there is no AWS console page for
          it.
        </Alert>
      )}
      {openError && (
        <Alert color="red" variant="light" mb="md" p="sm" title="Could not open the AWS console">
          {openError}
        </Alert>
      )}

      <DataList size="sm" labelWidth={130} gap={6}>
        <Fact label="Image name" value={record.imageName ?? version?.imageName} />
        <Fact label="Environment" value={record.environment} />
        <Fact label="Region" value={`${record.region} (profile ${record.profile})`} />
        <Fact label="Base image" value={record.baseImageId ?? version?.baseImageId} />
        <Fact label="Instance type" value={version?.instanceType} />
        <Fact
          label="Snapshots"
          value={record.snapshotIds.length > 0 ? record.snapshotIds.join(', ') : undefined}
        />
        <Fact label="Duration" value={duration} />
        {(record.copies ?? [])
          .filter((c) => c.state === 'available' && c.imageId)
          .map((c) => (
            <Fact key={c.region} label={`Copy in ${c.region}`} value={c.imageId} />
          ))}
        {record.published?.[0] && (
          <Fact
            label="Published to"
            value={`${record.published[0].name} (${record.published.length} regions)`}
          />
        )}
      </DataList>

      <Text size="sm" fw={500} mt="md" mb={4} id="bake-tags-label">
        Tags
      </Text>
      {tags.length === 0 ? (
        <Text size="sm" c="dimmed">
          {version ? 'The image has no tags.' : 'Tags are shown once the version is recorded.'}
        </Text>
      ) : (
        <Table
          aria-labelledby="bake-tags-label"
          withRowBorders={false}
          verticalSpacing={2}
          horizontalSpacing={0}
        >
          <Table.Tbody>
            {tags.map(([key, value]) => {
              const own = !isQuadraxisTag(key);
              return (
                <Table.Tr key={key}>
                  <Table.Td w={190} pr="sm" style={{ verticalAlign: 'top' }}>
                    <Text size="xs" ff="monospace" c={own ? undefined : 'dimmed'} fw={own ? 600 : 400}>
                      {key}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text
                      size="xs"
                      ff="monospace"
                      c={own ? undefined : 'dimmed'}
                      style={{ overflowWrap: 'anywhere' }}
                    >
                      {value}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}

function isQuadraxisTag(key: string): boolean {
  return key.startsWith('quadraxis:') || key === 'Name';
}

function Fact({ label, value }: { label: string; value: string | undefined }) {
  if (!value) return null;
  return (
    <DataList.Item>
      <DataList.ItemLabel c="dimmed">{label}</DataList.ItemLabel>
      <DataList.ItemValue style={{ overflowWrap: 'anywhere' }}>{value}</DataList.ItemValue>
    </DataList.Item>
  );
}
