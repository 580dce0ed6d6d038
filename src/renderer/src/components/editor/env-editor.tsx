import { ActionIcon, Button, Group, Paper, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useMemo } from 'react';
import { useFieldArray, useFormContext, useWatch } from 'react-hook-form';
import { diagnoseEnv } from '../../../../shared/user-data-secrets';
import type { ProjectFormValues } from '../project/project-form-model';
import { MONO_INPUT } from '../project/input-styles';

/** Environment variables for the init script, as name/value rows beside the editor. */
export function EnvEditor() {
  const { control, register, formState } = useFormContext<ProjectFormValues>();
  const errors = formState.errors.env;
  const { fields, append, remove } = useFieldArray({ control, name: 'env' });
  const rows = useWatch({ control, name: 'env' });
  // The script's secret patterns over each value: env values travel in the user data like the script.
  const secrets = useMemo(() => {
    const byRow = new Map<number, string>();
    (rows ?? []).forEach((row, index) => {
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
          Exported to the script. They travel in the user data, readable while the builder runs: not for
          secrets.
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
              <TextInput
                size="xs"
                placeholder="value"
                aria-label={`Variable ${index + 1} value`}
                styles={MONO_INPUT}
                style={{ flex: 1 }}
                spellCheck={false}
                error={errors?.[index]?.value?.message}
                {...register(`env.${index}.value`)}
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
