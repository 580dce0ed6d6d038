import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { IconPlayerStop } from '@tabler/icons-react';
import { useState } from 'react';
import { api, errorMessage, unwrap } from '../../api';

/** Cancel, after saying what it does; the cleanup that follows shows in the step list. */
export function CancelBakeButton({ bakeId, project }: { bakeId: string; project: string }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(api.bake.cancel(bakeId));
      setOpen(false);
    } catch (problem) {
      setError(errorMessage(problem));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button
        color="red"
        variant="light"
        leftSection={<IconPlayerStop size={16} aria-hidden />}
        onClick={() => setOpen(true)}
      >
        Cancel bake
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title="Cancel this bake?" centered>
        <Stack gap="md">
          <Text size="sm">
            The bake of {project} stops now. Its builder instance is terminated and a half-made image is
            deregistered; the steps below show the cleanup as it happens.
          </Text>
          {error && (
            <Alert color="red" title="The bake was not cancelled" role="alert">
              {error}
            </Alert>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={() => setOpen(false)} data-autofocus>
              Keep baking
            </Button>
            <Button color="red" loading={busy} onClick={() => void confirm()}>
              Cancel bake
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
