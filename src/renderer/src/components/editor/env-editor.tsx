import {
  ActionIcon,
  Button,
  Group,
  NativeSelect,
  Paper,
  Stack,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { IconKey, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useFieldArray, useFormContext, useWatch } from 'react-hook-form';
import { diagnoseEnv } from '../../../../shared/user-data-secrets';
import type { EnvValue } from '../../../../shared/project';
import type { ProjectFormValues } from '../project/project-form-model';
import { MONO_INPUT } from '../project/input-styles';
import { SetSecretModal } from './set-secret-modal';

/** Environment variables for the init script, as name/value rows beside the editor. */
export function EnvEditor() {
  const { control, register, formState, setValue } = useFormContext<ProjectFormValues>();
  const errors = formState.errors.env;
  const { fields, append, remove } = useFieldArray({ control, name: 'env' });
  const rows = useWatch({ control, name: 'env' });
  // The script's secret patterns over each value: env values travel in the user data like the script.
  const secrets = useMemo(() => {
    const byRow = new Map<number, string>();
    (rows ?? []).forEach((row, index) => {
      if (typeof row.value !== 'string') return;
      const [found] = diagnoseEnv({ [row.name || 'VALUE']: row.value });
      if (found) byRow.set(index, found.message);
    });
    return byRow;
  }, [rows]);
  return (
    <Paper withBorder p="sm" role="group" aria-label="Environment variables">
      <Stack gap="xs">
        <Group justify="space-between" gap="xs">
          <Text size="sm" fw={600}>
            Environment variables
          </Text>
          <Button
            size="compact-xs"
            variant="light"
            leftSection={<IconPlus size={14} aria-hidden />}
            onClick={() => append({ name: '', value: '' })}
          >
            Add variable
          </Button>
        </Group>
        <Text size="xs" c="dimmed">
          Exported to the script. Plain values travel in the user data, readable while the builder runs: not
          for secrets. A secret is a reference to SSM Parameter Store or Secrets Manager, read on the builder
          with its instance profile and never seen by Quadraxis.
        </Text>
        {fields.length === 0 && (
          <Text size="xs" c="dimmed" fs="italic">
            None.
          </Text>
        )}
        {fields.map((field, index) => (
          <Stack key={field.id} gap={2}>
            <Group gap={6} align="flex-start" wrap="nowrap">
              <TextInput
                size="xs"
                placeholder="NAME"
                aria-label={`Variable ${index + 1} name`}
                styles={MONO_INPUT}
                style={{ flex: 1 }}
                spellCheck={false}
                error={errors?.[index]?.name?.message}
                {...register(`env.${index}.name`)}
              />
              <NativeSelect
                size="xs"
                w={140}
                aria-label={`Variable ${index + 1} source`}
                data={KINDS}
                value={kindOf(rows?.[index]?.value ?? '')}
                onChange={(e) =>
                  setValue(`env.${index}.value`, emptyOf(e.currentTarget.value as Kind), {
                    shouldDirty: true,
                    shouldValidate: true,
                  })
                }
              />
              <Tooltip label="Remove">
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  mt={2}
                  onClick={() => remove(index)}
                  aria-label={`Remove variable ${index + 1}`}
                >
                  <IconTrash size={14} />
                </ActionIcon>
              </Tooltip>
            </Group>
            {/* The value on its own line: a parameter path or a secret and its key need the width. */}
            <Group gap={6} align="flex-start" wrap="nowrap" pr={30}>
              <ValueInputs index={index} kind={kindOf(rows?.[index]?.value ?? '')} />
            </Group>
            {secrets.has(index) && (
              <Text
                size="xs"
                c="yellow.8"
                role="alert"
                aria-label={`Variable ${index + 1} looks like a secret`}
              >
                {secrets.get(index)}
              </Text>
            )}
          </Stack>
        ))}
      </Stack>
    </Paper>
  );
}

type Kind = 'plain' | 'ssm' | 'secretsManager';
const KINDS: { value: Kind; label: string }[] = [
  { value: 'plain', label: 'Value' },
  { value: 'ssm', label: 'SSM parameter' },
  { value: 'secretsManager', label: 'Secrets Manager' },
];

function kindOf(value: EnvValue): Kind {
  if (typeof value === 'string') return 'plain';
  return 'ssm' in value ? 'ssm' : 'secretsManager';
}

function emptyOf(kind: Kind): EnvValue {
  if (kind === 'ssm') return { ssm: '' };
  if (kind === 'secretsManager') return { secretsManager: '' };
  return '';
}

const blankToUndefined = (v: unknown) => (v === '' ? undefined : v);

/** The value of one row: plain text, a parameter name, or a secret (and its optional JSON key). */
function ValueInputs({ index, kind }: { index: number; kind: Kind }) {
  const { register, formState } = useFormContext<ProjectFormValues>();
  const error = formState.errors.env?.[index]?.value as
    | {
        message?: string;
        ssm?: { message?: string };
        secretsManager?: { message?: string };
        key?: { message?: string };
      }
    | undefined;
  const common = { size: 'xs' as const, styles: MONO_INPUT, spellCheck: false, style: { flex: 1 } };
  if (kind === 'ssm') return <ParameterInput index={index} common={common} error={error} />;
  if (kind === 'secretsManager')
    return (
      <Group gap={6} wrap="nowrap" style={{ flex: 1 }}>
        <TextInput
          {...common}
          placeholder="prod/api"
          aria-label={`Variable ${index + 1} secret`}
          error={error?.secretsManager?.message ?? error?.message}
          {...register(`env.${index}.value.secretsManager`)}
        />
        <TextInput
          {...common}
          style={{ width: 90 }}
          placeholder="JSON key"
          aria-label={`Variable ${index + 1} JSON key`}
          error={error?.key?.message}
          {...register(`env.${index}.value.key`, { setValueAs: blankToUndefined })}
        />
      </Group>
    );
  return (
    <TextInput
      {...common}
      placeholder="value"
      aria-label={`Variable ${index + 1} value`}
      error={error?.message}
      {...register(`env.${index}.value`)}
    />
  );
}

/** A parameter name, and the way to set its SecureString value from here (never kept by Quadraxis). */
function ParameterInput({
  index,
  common,
  error,
}: {
  index: number;
  common: object;
  error: { message?: string; ssm?: { message?: string } } | undefined;
}) {
  const { register, control } = useFormContext<ProjectFormValues>();
  const value = useWatch({ control, name: `env.${index}.value` });
  const region = useWatch({ control, name: 'region' });
  const [open, setOpen] = useState(false);
  const name = typeof value === 'object' && 'ssm' in value ? value.ssm : '';
  const settable = name !== '' && !/:\d+$/.test(name) && error === undefined;
  return (
    <Group gap={4} wrap="nowrap" style={{ flex: 1 }}>
      <TextInput
        {...common}
        placeholder="/app/prod/db-password"
        aria-label={`Variable ${index + 1} parameter name`}
        error={error?.ssm?.message ?? error?.message}
        {...register(`env.${index}.value.ssm`)}
      />
      <Tooltip label="Set its SecureString value">
        <ActionIcon
          variant="subtle"
          mt={2}
          disabled={!settable}
          onClick={() => setOpen(true)}
          aria-label={`Set the value of variable ${index + 1}`}
        >
          <IconKey size={14} />
        </ActionIcon>
      </Tooltip>
      {open && (
        <SetSecretModal
          name={name}
          region={region || undefined}
          opened={open}
          onClose={() => setOpen(false)}
        />
      )}
    </Group>
  );
}
