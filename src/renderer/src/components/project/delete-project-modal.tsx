import { Alert, Button, Checkbox, Group, Loader, Modal, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { api, errorMessage, unwrap } from '../../api';

/** Deleting keeps the versions (and their AMIs are never touched) unless the person ticks the box. */
export function DeleteProjectModal({
  name,
  revision,
  opened,
  onClose,
  onDeleted,
}: {
  name: string;
  revision?: string;
  opened: boolean;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const [count, setCount] = useState<number>();
  const [withVersions, setWithVersions] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!opened) return;
    let live = true;
    void unwrap(api.versions.count(name)).then(
      ({ count: n }) => live && setCount(n),
      (e: unknown) => live && setError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [opened, name]);

  const remove = async () => {
    setBusy(true);
    try {
      await unwrap(
        api.projects.delete({ name, deleteVersions: withVersions, ...(revision ? { revision } : {}) }),
      );
      onDeleted();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={opened}
      onClose={onClose}
      title={`Delete project ${name}?`}
      centered
    >
      <Stack gap="md">
        <Text size="sm">
          The project file, its unsaved draft and its webhook secret are removed. Bake records stay in the
          Bakes list, and no AMI is deregistered.
        </Text>
        {count === undefined && !error && <Loader size="sm" aria-label="Counting versions" />}
        {count !== undefined && count > 0 && (
          <Checkbox
            label={`Also delete its ${count} ${count === 1 ? 'version' : 'versions'}`}
            description="Otherwise they are kept, and come back if a project of this name is created again."
            checked={withVersions}
            onChange={(event) => setWithVersions(event.currentTarget.checked)}
          />
        )}
        {count === 0 && (
          <Text size="sm" c="dimmed">
            It has no versions.
          </Text>
        )}
        {error && (
          <Alert color="red" title="Not deleted">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red" onClick={() => void remove()} loading={busy} disabled={count === undefined}>
            Delete project
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
