import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { ProjectNameSchema } from '../../../../shared/project';
import { errorMessage } from '../../api';

interface NameFormProps {
  label: string;
  initial: string;
  submitLabel: string;
  intro?: ReactNode;
  onClose: () => void;
  /** Rejects with an error to show under the field. */
  onSubmit: (name: string) => Promise<void>;
}

/** Asks for a project name (rename, duplicate, new), checked with the shared rule; errors stay in the dialog. */
export function NameModal({
  opened,
  title,
  ...form
}: NameFormProps & {
  opened: boolean;
  title: string;
}) {
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={opened}
      onClose={form.onClose}
      title={title}
      centered
    >
      {opened && <NameForm {...form} />}
    </Modal>
  );
}

function NameForm({ label, initial, submitLabel, intro, onClose, onSubmit }: NameFormProps) {
  const [name, setName] = useState(initial);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const check = ProjectNameSchema.safeParse(name.trim());
  const shown = error ?? (name !== '' && !check.success ? check.error.issues[0]?.message : undefined);

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (!check.success) return;
        setBusy(true);
        onSubmit(check.data)
          .catch((e: unknown) => setError(errorMessage(e)))
          .finally(() => setBusy(false));
      }}
    >
      <Stack gap="md">
        {intro && <Text size="sm">{intro}</Text>}
        <TextInput
          label={label}
          value={name}
          onChange={(event) => {
            setName(event.currentTarget.value);
            setError(undefined);
          }}
          error={shown}
          data-autofocus
          spellCheck={false}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} disabled={!check.success}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
