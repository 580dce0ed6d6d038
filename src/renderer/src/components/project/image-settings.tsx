import {
  ActionIcon,
  Button,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { Controller, useFieldArray, useFormContext } from 'react-hook-form';
import type { Completion } from '../../../../shared/project';
import { fieldError } from './field-error';
import { FormSection } from './form-section';
import type { ProjectFormValues } from './project-form-model';
import { MONO_INPUT } from './input-styles';

/** The image's name and tags, and how the bake knows the script is done. */
export function ImageSettings() {
  const { control, register, formState } = useFormContext<ProjectFormValues>();
  const errorAt = (path: string) => fieldError(formState.errors, path);
  const tags = useFieldArray({ control, name: 'tags' });

  return (
    <>
      <FormSection title="Image">
        <SimpleGrid cols={2} spacing="md">
          <TextInput
            label="Image name"
            description="Placeholders: {project} {yyyyMMdd-HHmmss} {yyyyMMdd} {bakeId} {version}"
            styles={MONO_INPUT}
            spellCheck={false}
            {...register('imageName')}
            error={errorAt('imageName')}
          />
          <TextInput
            label="Image description"
            placeholder="Optional"
            {...register('imageDescription')}
            error={errorAt('imageDescription')}
          />
        </SimpleGrid>
        <Stack gap={6} role="group" aria-label="Tags">
          <Group justify="space-between">
            <Text size="sm" fw={500}>
              Tags
            </Text>
            <Button
              size="compact-xs"
              variant="light"
              leftSection={<IconPlus size={14} aria-hidden />}
              onClick={() => tags.append({ key: '', value: '' })}
            >
              Add tag
            </Button>
          </Group>
          <Text size="xs" c="dimmed">
            Put on the AMI and its snapshots, beside Quadraxis’s own quadraxis:* tags.
          </Text>
          {tags.fields.map((field, index) => (
            <Group key={field.id} gap={6} wrap="nowrap" align="flex-start">
              <TextInput
                size="xs"
                placeholder="key"
                aria-label={`Tag ${index + 1} key`}
                style={{ flex: 1 }}
                {...register(`tags.${index}.key`)}
                error={errorAt(`tags.${index}.key`)}
              />
              <TextInput
                size="xs"
                placeholder="value"
                aria-label={`Tag ${index + 1} value`}
                style={{ flex: 2 }}
                {...register(`tags.${index}.value`)}
                error={errorAt(`tags.${index}.value`)}
              />
              <ActionIcon
                variant="subtle"
                color="gray"
                mt={2}
                onClick={() => tags.remove(index)}
                aria-label={`Remove tag ${index + 1}`}
              >
                <IconTrash size={14} />
              </ActionIcon>
            </Group>
          ))}
        </Stack>
      </FormSection>
      <FormSection
        title="Completion"
        description="How the bake knows the script has finished before it stops the builder and takes the image."
      >
        <Controller
          control={control}
          name="completion"
          render={({ field }) => {
            const value = field.value as Completion;
            return (
              <Stack gap="sm">
                <SegmentedControl
                  aria-label="Completion mode"
                  w="fit-content"
                  value={value.mode}
                  onChange={(mode) =>
                    field.onChange(
                      mode === 'wait'
                        ? { mode: 'wait', seconds: 300, timeoutMinutes: value.timeoutMinutes }
                        : { mode: 'wrapper', timeoutMinutes: value.timeoutMinutes, cloudInitClean: true },
                    )
                  }
                  data={[
                    { value: 'wrapper', label: 'Wait for the script (recommended)' },
                    { value: 'wait', label: 'Fixed wait' },
                  ]}
                />
                <Text size="xs" c="dimmed">
                  {value.mode === 'wrapper'
                    ? 'The script runs inside a small wrapper that reports its exit code on the console, removes the user data from the builder and powers it off.'
                    : 'For images the wrapper cannot run on: the bake waits this long after the builder is running, then stops it through the API.'}
                </Text>
                <Group gap="md" align="flex-start">
                  <NumberInput
                    label="Timeout (minutes)"
                    min={1}
                    max={1440}
                    allowDecimal={false}
                    w={180}
                    value={value.timeoutMinutes}
                    onChange={(n) =>
                      field.onChange({ ...value, timeoutMinutes: typeof n === 'number' ? n : 30 })
                    }
                    error={errorAt('completion.timeoutMinutes')}
                  />
                  {value.mode === 'wait' && (
                    <NumberInput
                      label="Wait (seconds)"
                      min={1}
                      max={86400}
                      allowDecimal={false}
                      w={180}
                      value={value.seconds}
                      onChange={(n) => field.onChange({ ...value, seconds: typeof n === 'number' ? n : 300 })}
                      error={errorAt('completion.seconds')}
                    />
                  )}
                  {value.mode === 'wrapper' && (
                    <Switch
                      mt={30}
                      label="Run cloud-init clean, so the image boots as a new instance"
                      checked={value.cloudInitClean}
                      onChange={(event) =>
                        field.onChange({ ...value, cloudInitClean: event.currentTarget.checked })
                      }
                    />
                  )}
                </Group>
                {value.mode === 'wrapper' && (
                  <Select
                    label="cloud-init warnings (#cloud-config)"
                    description="A misspelled or deprecated key, a module that could not do its part: cloud-init 23.4+ reports these as recoverable errors."
                    w={420}
                    allowDeselect={false}
                    value={value.cloudConfigWarnings ?? 'fail'}
                    onChange={(choice) =>
                      field.onChange({
                        ...value,
                        cloudConfigWarnings: choice === 'accept' ? 'accept' : 'fail',
                      })
                    }
                    data={[
                      { value: 'fail', label: 'Fail the bake (recommended)' },
                      { value: 'accept', label: 'Accept them: succeeded with warnings' },
                    ]}
                  />
                )}
              </Stack>
            );
          }}
        />
      </FormSection>
    </>
  );
}
