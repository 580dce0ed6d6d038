import { Group, Select, TextInput } from '@mantine/core';
import { useState } from 'react';
import { MONO_INPUT } from '../project/input-styles';

/** Who publishes the images: the owners EC2 knows by alias, the distributions people ask for, or any account. */
export const OWNER_PRESETS = [
  { value: 'amazon', label: 'Amazon' },
  { value: '099720109477', label: 'Canonical (Ubuntu)' },
  { value: '136693071363', label: 'Debian' },
  { value: 'self', label: 'My account' },
  { value: 'aws-marketplace', label: 'AWS Marketplace' },
] as const;
const OTHER = 'other';

export function OwnerField({
  value,
  onChange,
  error,
  label = 'Owner',
}: {
  value: string;
  onChange: (owner: string) => void;
  error?: string | undefined;
  label?: string;
}) {
  const preset = OWNER_PRESETS.some((p) => p.value === value);
  const [other, setOther] = useState(!preset);
  return (
    <Group gap="xs" align="flex-start" wrap="nowrap" grow>
      <Select
        label={label}
        data={[...OWNER_PRESETS, { value: OTHER, label: 'Another account…' }]}
        value={other ? OTHER : value}
        allowDeselect={false}
        onChange={(next) => {
          if (!next) return;
          setOther(next === OTHER);
          onChange(next === OTHER ? '' : next);
        }}
      />
      {other && (
        <TextInput
          label="Account id"
          placeholder="123456789012"
          value={value}
          onChange={(event) => onChange(event.currentTarget.value.trim())}
          error={error}
          styles={MONO_INPUT}
        />
      )}
    </Group>
  );
}
