import {
  Alert,
  Button,
  Group,
  Paper,
  ScrollArea,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import type { ImageSummary, PickerList } from '../../../../shared/aws';
import type { TargetSelection } from '../../../../shared/ipc/aws.contract';
import { api, errorMessage, unwrap } from '../../api';
import { formatDateTime } from '../project/format';
import { OwnerField } from './owner-field';
import { MONO_INPUT } from '../project/input-styles';

const SHOWN = 50;

/** Finds AMIs by owner, name pattern and architecture, newest first, and picks one. */
export function ImageSearch({
  target,
  onPick,
}: {
  target: TargetSelection;
  onPick: (image: ImageSummary) => void;
}) {
  const [owner, setOwner] = useState('amazon');
  const [pattern, setPattern] = useState('al2023-ami-*');
  const [arch, setArch] = useState<'x86_64' | 'arm64' | 'any'>('x86_64');
  const [result, setResult] = useState<PickerList<ImageSummary>>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const search = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setResult(
        await unwrap(
          api.aws.searchImages({
            target,
            query: {
              owners: [owner],
              namePattern: pattern || '*',
              ...(arch === 'any' ? {} : { architecture: arch }),
            },
          }),
        ),
      );
    } catch (e) {
      setResult(undefined);
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper withBorder p="sm" role="search" aria-label="Find an image">
      <Stack gap="sm">
        <Group align="flex-end" gap="sm" wrap="nowrap">
          <OwnerField value={owner} onChange={setOwner} />
          <TextInput
            label="Name pattern"
            description={undefined}
            value={pattern}
            onChange={(event) => setPattern(event.currentTarget.value)}
            placeholder="* and ? wildcards"
            styles={MONO_INPUT}
            style={{ flex: 1 }}
          />
          <SegmentedControl
            aria-label="Architecture to search"
            value={arch}
            onChange={(v) => setArch(v)}
            data={[
              { value: 'x86_64', label: 'x86_64' },
              { value: 'arm64', label: 'arm64' },
              { value: 'any', label: 'Any' },
            ]}
          />
          <Button
            leftSection={<IconSearch size={16} aria-hidden />}
            onClick={() => void search()}
            loading={busy}
          >
            Search images
          </Button>
        </Group>
        {error && <Alert color="red">{error}</Alert>}
        {result && result.items.length === 0 && (
          <Text size="sm" c="dimmed">
            No image matches. Patterns match the whole name: add * around a part.
          </Text>
        )}
        {result && result.items.length > 0 && (
          <ScrollArea.Autosize mah={280}>
            <Table striped highlightOnHover verticalSpacing={4} fz="xs" aria-label="Matching images">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Arch</Table.Th>
                  <Table.Th>Root device</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {result.items.slice(0, SHOWN).map((image) => (
                  <Table.Tr key={image.imageId}>
                    <Table.Td>
                      <Text size="xs" ff="monospace" style={{ wordBreak: 'break-all' }}>
                        {image.name}
                      </Text>
                      <Text size="xs" c="dimmed" ff="monospace">
                        {image.imageId}
                      </Text>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      {image.creationDate ? formatDateTime(image.creationDate) : '—'}
                    </Table.Td>
                    <Table.Td>{image.architecture}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      {image.rootDeviceType ?? ''} {image.rootDeviceName ?? ''}
                      {image.rootVolumeSizeGiB ? ` · ${image.rootVolumeSizeGiB} GiB` : ''}
                    </Table.Td>
                    <Table.Td>
                      <Button
                        size="compact-xs"
                        variant="light"
                        onClick={() => onPick(image)}
                        aria-label={`Use ${image.name}`}
                      >
                        Use
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {(result.items.length > SHOWN || result.truncated) && (
              <Text size="xs" c="dimmed" mt={4}>
                Showing the newest {Math.min(SHOWN, result.items.length)}; narrow the pattern to see others.
              </Text>
            )}
          </ScrollArea.Autosize>
        )}
      </Stack>
    </Paper>
  );
}
