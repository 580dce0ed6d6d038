import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import type { z } from 'zod';
import { ProjectNameSchema } from '../../../../shared/project';
import { errorMessage } from '../../api';

interface NameFormProps {
  label: string;
  initial: string;
  submitLabel: string;
  intro?: ReactNode;
  /** The rule a name must pass; a project name unless said otherwise. */
  schema?: z.ZodType<string>;
  /** Why a valid name still cannot be taken (already in use), if it cannot. */
  taken?: (name: string) => string | undefined;
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

function NameForm({
  label,
  initial,
  submitLabel,
  intro,
  schema = ProjectNameSchema,
  taken,
  onClose,
  onSubmit,
}: NameFormProps) {
  const [name, setName] = useState(initial);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const check = schema.safeParse(name.trim());
  const conflict = check.success ? taken?.(check.data) : undefined;
  const shown =
    error ?? conflict ?? (name !== '' && !check.success ? check.error.issues[0]?.message : undefined);

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (!check.success || conflict) return;
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
          <Button type="submit" loading={busy} disabled={!check.success || conflict !== undefined}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
