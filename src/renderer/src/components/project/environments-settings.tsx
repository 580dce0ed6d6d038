import { Alert, Button, Group, List, Modal, Stack, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useFieldArray, useFormContext } from 'react-hook-form';
import { EnvironmentNameSchema } from '../../../../shared/project';
import { EnvironmentCard } from './environment-card';
import { branchesMappedTo, mappingsAfterRename, type EnvironmentRow } from './environments-form-model';
import { FormSection } from './form-section';
import { NameModal } from './name-modal';
import type { ProjectFormValues } from './project-form-model';

const EMPTY: Omit<EnvironmentRow, 'name'> = {
  description: '',
  env: [],
  region: '',
  instanceType: '',
  subnetId: '',
  securityGroupIds: null,
  iamInstanceProfile: '',
};

type Dialog =
  | { kind: 'add' }
  | { kind: 'rename'; index: number; name: string }
  | { kind: 'delete'; index: number; name: string; branches: string[] };

/**
 * The project's named environments (dev, staging, prod): each overrides variables one by one and, if it
 * says so, the launch settings. Added, renamed and deleted here; saved with the rest of the project.
 */
export function EnvironmentsSettings({ onShowTriggers }: { onShowTriggers: () => void }) {
  const { control, getValues, setValue } = useFormContext<ProjectFormValues>();
  const { fields, append, remove } = useFieldArray({ control, name: 'environments' });
  const [dialog, setDialog] = useState<Dialog>();
  const close = () => setDialog(undefined);
  // Ignoring case, as the project schema does (a rename may still change a name's case).
  const taken = (except?: string) => (name: string) => {
    const same = getValues('environments').find(
      (e) => e.name !== except && e.name.toLowerCase() === name.toLowerCase(),
    );
    return same ? `There is already an environment named ${same.name}.` : undefined;
  };

  return (
    <Stack gap="md">
      <FormSection
        title="Environments"
        description="Variants of this project a bake can pick — in the start dialog, with quadraxis bake --env NAME, or by the branch a push comes from (Triggers). Each overrides variables one by one and, where set, the launch settings; everything else is the project’s."
      >
        <Group>
          <Button
            size="xs"
            variant="light"
            leftSection={<IconPlus size={14} aria-hidden />}
            onClick={() => setDialog({ kind: 'add' })}
          >
            Add environment
          </Button>
        </Group>
        {fields.length === 0 && (
          <Text size="sm" c="dimmed" fs="italic">
            None: every bake uses the project’s own values.
          </Text>
        )}
      </FormSection>
      {fields.map((field, index) => (
        <EnvironmentCard
          key={field.id}
          index={index}
          onRename={(name) => setDialog({ kind: 'rename', index, name })}
          onDelete={(name) =>
            setDialog({
              kind: 'delete',
              index,
              name,
              branches: branchesMappedTo(getValues('triggers.branches'), name),
            })
          }
          onShowTriggers={onShowTriggers}
        />
      ))}
      <NameModal
        opened={dialog?.kind === 'add' || dialog?.kind === 'rename'}
        title={dialog?.kind === 'rename' ? `Rename ${dialog.name}` : 'Add an environment'}
        label="Environment name"
        initial={dialog?.kind === 'rename' ? dialog.name : ''}
        submitLabel={dialog?.kind === 'rename' ? 'Rename' : 'Add'}
        schema={EnvironmentNameSchema}
        taken={taken(dialog?.kind === 'rename' ? dialog.name : undefined)}
        {...(dialog?.kind === 'rename'
          ? { intro: 'Branches that bake it keep baking it under its new name.' }
          : {})}
        onClose={close}
        onSubmit={(name) => {
          if (dialog?.kind === 'rename') {
            const options = { shouldDirty: true, shouldValidate: true };
            setValue(`environments.${dialog.index}.name`, name, options);
            setValue(
              'triggers.branches',
              mappingsAfterRename(getValues('triggers.branches'), dialog.name, name),
              options,
            );
          } else append({ name, ...EMPTY });
          close();
          return Promise.resolve();
        }}
      />
      <Modal
        opened={dialog?.kind === 'delete'}
        onClose={close}
        title={dialog?.kind === 'delete' ? `Delete ${dialog.name}?` : ''}
        closeButtonProps={{ 'aria-label': 'Close' }}
        centered
      >
        {dialog?.kind === 'delete' && (
          <DeleteBody
            {...dialog}
            onCancel={close}
            onShowTriggers={() => {
              close();
              onShowTriggers();
            }}
            onDelete={() => {
              remove(dialog.index);
              close();
            }}
          />
        )}
      </Modal>
    </Stack>
  );
}

/**
 * Deleting an environment a branch maps to is refused, not done with the mapping dropped: that branch's
 * pushes would silently start baking the project's own values — for a release branch, another instance
 * profile and other secrets. Remapping is a decision the person makes where mappings are edited.
 */
function DeleteBody(props: {
  name: string;
  branches: string[];
  onCancel: () => void;
  onDelete: () => void;
  onShowTriggers: () => void;
}) {
  const { name, branches } = props;
  if (branches.length > 0)
    return (
      <Stack gap="md">
        <Alert color="orange" title={`Branches bake ${name}`}>
          <Text size="sm">
            A push to these branches bakes {name}. Map them to another environment (or none) in Triggers
            first, so what they bake changes only when you say so:
          </Text>
          <List size="sm" mt="xs">
            {branches.map((b) => (
              <List.Item key={b}>{b}</List.Item>
            ))}
          </List>
        </Alert>
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onCancel}>
            Cancel
          </Button>
          <Button onClick={props.onShowTriggers}>Open Triggers</Button>
        </Group>
      </Stack>
    );
  return (
    <Stack gap="md">
      <Text size="sm">
        Its overrides go with it when you save. Bakes already made with it keep saying so; the start dialog
        and quadraxis bake --env no longer offer it.
      </Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={props.onCancel}>
          Cancel
        </Button>
        <Button color="red" onClick={props.onDelete}>
          Delete
        </Button>
      </Group>
    </Stack>
  );
}
