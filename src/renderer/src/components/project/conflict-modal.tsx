import { Button, Group, Modal, Stack, Text } from '@mantine/core';

/** A save found the project changed by someone else since it was opened: theirs, or mine? */
export function ConflictModal({
  message,
  onReload,
  onOverwrite,
  onClose,
}: {
  message?: string;
  onReload: () => void;
  onOverwrite: () => void;
  onClose: () => void;
}) {
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={message !== undefined}
      onClose={onClose}
      title="Changed elsewhere"
      centered
    >
      <Stack gap="md">
        <Text size="sm">{message}</Text>
        <Text size="sm" c="dimmed">
          Reload shows their version and drops your edits. Overwrite saves yours over theirs.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="light" onClick={onReload}>
            Reload
          </Button>
          <Button color="red" onClick={onOverwrite}>
            Overwrite
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
