import { Alert, Group, Loader, Paper, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import type { ResolvedBaseImage } from '../../../../shared/aws';
import type { TargetSelection } from '../../../../shared/ipc/aws.contract';
import { BaseImageSchema, type BaseImage } from '../../../../shared/project';
import { api } from '../../api';
import { formatDateTime } from '../project/format';
import { ImageSearch } from './image-search';
import { OwnerField } from './owner-field';
import { pickerInputProps } from './picker-input';
import { pickerError, usePicker, type PickerState } from './use-picker';
import { MONO_INPUT } from '../project/input-styles';

const DEFAULTS: Record<BaseImage['kind'], BaseImage> = {
  ssm: { kind: 'ssm', parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' },
  latest: {
    kind: 'latest',
    owners: ['amazon'],
    namePattern: 'al2023-ami-2023.*-x86_64',
    architecture: 'x86_64',
  },
  id: { kind: 'id', imageId: '' },
};

/** What the base-image setting resolves to today, once it is complete; also tells the form the architecture. */
export function useBaseImagePreview(value: BaseImage, target: TargetSelection, scope: string) {
  const [settled] = useDebouncedValue(JSON.stringify(value), 400);
  const valid = BaseImageSchema.safeParse(JSON.parse(settled)).success;
  return usePicker<ResolvedBaseImage>(valid ? `${scope}\u0000${settled}` : null, (refresh) =>
    api.aws.previewImage({ target, refresh, baseImage: JSON.parse(settled) as BaseImage }),
  );
}

export function BaseImageField({
  value,
  onChange,
  errorAt,
  target,
  scope,
  preview,
}: {
  value: BaseImage;
  onChange: (value: BaseImage) => void;
  errorAt: (path: string) => string | undefined;
  target: TargetSelection;
  scope: string;
  preview: PickerState<ResolvedBaseImage>;
}) {
  const aliases = usePicker(value.kind === 'ssm' ? scope : null, (refresh) =>
    api.aws.listAliases({ target, refresh }),
  );

  return (
    <Stack gap="sm">
      <SegmentedControl
        aria-label="Base image source"
        value={value.kind}
        onChange={(kind) => {
          const next = kind;
          // Pinning keeps what the current setting resolves to today.
          if (next === 'id' && preview.data) onChange({ kind: 'id', imageId: preview.data.imageId });
          else onChange(DEFAULTS[next]);
        }}
        data={[
          { value: 'ssm', label: 'Public alias (SSM)' },
          { value: 'latest', label: 'Newest matching' },
          { value: 'id', label: 'Specific AMI' },
        ]}
        w="fit-content"
      />
      {value.kind === 'ssm' && (
        <>
          <Select
            label="Public alias"
            description="AWS, Canonical and Debian keep these pointing at their newest release."
            placeholder={aliases.loading ? 'Loading aliases…' : 'Choose an alias'}
            data={(aliases.data?.items ?? []).map((a) => ({ value: a.parameter, label: a.label }))}
            value={aliases.data?.items.some((a) => a.parameter === value.parameter) ? value.parameter : null}
            onChange={(parameter) => parameter && onChange({ kind: 'ssm', parameter })}
            renderOption={({ option }) => {
              const alias = aliases.data?.items.find((a) => a.parameter === option.value);
              return (
                <div>
                  <Text size="sm">{option.label}</Text>
                  <Text size="xs" c={alias?.error ? 'red' : 'dimmed'}>
                    {alias?.image ? `${alias.image.name} · ${alias.image.imageId}` : alias?.error}
                  </Text>
                </div>
              );
            }}
            error={pickerError('aliases', aliases.error)}
            {...pickerInputProps('aliases', aliases)}
          />
          <TextInput
            label="SSM parameter"
            description="Any public or private parameter that holds an AMI id."
            value={value.parameter}
            onChange={(event) => onChange({ kind: 'ssm', parameter: event.currentTarget.value })}
            error={errorAt('parameter')}
            styles={MONO_INPUT}
            spellCheck={false}
          />
        </>
      )}
      {value.kind === 'latest' && (
        <>
          <Group grow align="flex-start" gap="sm">
            <OwnerField
              value={value.owners[0] ?? ''}
              onChange={(owner) => onChange({ ...value, owners: [owner] })}
              error={errorAt('owners.0') ?? errorAt('owners')}
            />
            <TextInput
              label="Name pattern"
              value={value.namePattern}
              onChange={(event) => onChange({ ...value, namePattern: event.currentTarget.value })}
              error={errorAt('namePattern')}
              styles={MONO_INPUT}
              spellCheck={false}
            />
          </Group>
          <SegmentedControl
            aria-label="Architecture"
            value={value.architecture}
            onChange={(architecture) => onChange({ ...value, architecture: architecture })}
            data={['x86_64', 'arm64']}
            w="fit-content"
          />
        </>
      )}
      {value.kind === 'id' && (
        <>
          <TextInput
            label="AMI id"
            value={value.imageId}
            onChange={(event) => onChange({ kind: 'id', imageId: event.currentTarget.value.trim() })}
            error={errorAt('imageId')}
            styles={MONO_INPUT}
            placeholder="ami-0123456789abcdef0"
          />
          <ImageSearch target={target} onPick={(image) => onChange({ kind: 'id', imageId: image.imageId })} />
        </>
      )}
      <PreviewLine preview={preview} />
    </Stack>
  );
}

function PreviewLine({ preview }: { preview: PickerState<ResolvedBaseImage> }) {
  if (preview.loading) {
    return (
      <Group gap={6}>
        <Loader size={14} />
        <Text size="sm" c="dimmed">
          Resolving the base image…
        </Text>
      </Group>
    );
  }
  if (preview.error) {
    return (
      <Alert color="red" variant="light" p="xs" title="Does not resolve today" aria-label="Base image today">
        {preview.error.message}
      </Alert>
    );
  }
  const image = preview.data;
  if (!image) return null;
  return (
    <Paper withBorder p="xs" bg="var(--mantine-color-default-hover)" aria-label="Base image today">
      <Text size="xs" c="dimmed">
        Today this is
      </Text>
      <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
        {image.imageId} · {image.name}
      </Text>
      <Text size="xs" c="dimmed">
        {[
          image.creationDate ? `created ${formatDateTime(image.creationDate)}` : undefined,
          image.architecture,
          image.rootDeviceName ? `root ${image.rootDeviceType ?? ''} ${image.rootDeviceName}` : undefined,
          image.rootVolumeSizeGiB ? `${image.rootVolumeSizeGiB} GiB` : undefined,
        ]
          .filter(Boolean)
          .join(' · ')}
      </Text>
    </Paper>
  );
}
