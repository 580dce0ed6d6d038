import { ActionIcon, Button, Group, NativeSelect, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useFieldArray, useFormContext, useWatch } from 'react-hook-form';
import { fieldError } from '../project/field-error';
import { FormSection } from '../project/form-section';
import { MONO_INPUT } from '../project/input-styles';
import type { ProjectFormValues } from '../project/project-form-model';

const OWN = '';

/**
 * Which branches' pushes bake, and which environment each bakes — part of the project, saved with it. A
 * branch can also be mapped without being listed: with no branch listed, the repository's default branch
 * (or the branch a direct trigger names) bakes, and its mapping says with which environment.
 */
export function BranchSettings() {
  const { control, register, formState } = useFormContext<ProjectFormValues>();
  const { fields, append, remove } = useFieldArray({ control, name: 'triggers.branches' });
  const rows = useWatch({ control, name: 'triggers.branches' });
  const environments = useWatch({ control, name: 'environments' }).map((e) => e.name);
  const errorAt = (path: string) => fieldError(formState.errors, `triggers.branches.${path}`);
  const listed = fields.map((f, i) => ({ f, i })).filter(({ i }) => rows[i]?.listed);
  const unlisted = fields.map((f, i) => ({ f, i })).filter(({ i }) => !rows[i]?.listed);

  const row = ({ f, i }: { f: { id: string }; i: number }) => {
    const current = rows[i]?.environment ?? OWN;
    const options = [
      { value: OWN, label: 'The project’s own values' },
      ...environments.filter((e) => e !== '').map((e) => ({ value: e, label: e })),
      // A mapping to an environment no longer defined stays visible (and marked), not silently changed.
      ...(current !== OWN && !environments.includes(current)
        ? [{ value: current, label: `${current} (not defined)` }]
        : []),
    ];
    return (
      <Group key={f.id} gap={6} align="flex-start" wrap="nowrap">
        <TextInput
          size="xs"
          placeholder={rows[i]?.listed ? 'main' : 'the default branch, e.g. main'}
          aria-label={`Branch ${i + 1}`}
          styles={MONO_INPUT}
          style={{ flex: 1 }}
          spellCheck={false}
          error={errorAt(`${i}.branch`)}
          {...register(`triggers.branches.${i}.branch`)}
        />
        <Text size="xs" c="dimmed" mt={6}>
          bakes
        </Text>
        <NativeSelect
          size="xs"
          w={220}
          aria-label={`Branch ${i + 1} environment`}
          data={options}
          error={errorAt(`${i}.environment`)}
          {...register(`triggers.branches.${i}.environment`)}
        />
        <Tooltip label="Remove">
          <ActionIcon
            variant="subtle"
            color="gray"
            mt={2}
            onClick={() => remove(i)}
            aria-label={`Remove branch ${i + 1}`}
          >
            <IconTrash size={14} />
          </ActionIcon>
        </Tooltip>
      </Group>
    );
  };

  return (
    <FormSection
      title="Branches"
      description="A push to one of these branches bakes, with the environment beside it. Saved with the project; the hook text above and the snippets below follow once saved."
    >
      <Stack gap={6} role="group" aria-label="Branches that bake">
        {listed.length === 0 && (
          <Text size="xs" c="dimmed" fs="italic">
            None listed: a push to the repository’s default branch bakes (a direct trigger: any branch it
            names).
          </Text>
        )}
        {listed.map(row)}
      </Stack>
      {(unlisted.length > 0 || listed.length === 0) && (
        <Stack gap={6} role="group" aria-label="Mapped branches">
          <Text size="xs" c="dimmed">
            {listed.length === 0
              ? 'Which environment the default branch (or a branch a trigger names) bakes:'
              : 'Mapped but not listed: these bake only while no branch is listed above.'}
          </Text>
          {unlisted.map(row)}
        </Stack>
      )}
      <Group gap="xs">
        <Button
          size="compact-xs"
          variant="light"
          leftSection={<IconPlus size={14} aria-hidden />}
          onClick={() => append({ branch: '', listed: true, environment: OWN })}
        >
          Add branch
        </Button>
        {listed.length === 0 && (
          <Button
            size="compact-xs"
            variant="subtle"
            leftSection={<IconPlus size={14} aria-hidden />}
            onClick={() => append({ branch: '', listed: false, environment: OWN })}
          >
            Map a branch
          </Button>
        )}
      </Group>
    </FormSection>
  );
}
