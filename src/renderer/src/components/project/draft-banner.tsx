import { Alert, Button, Group, Text } from '@mantine/core';
import { IconHistory } from '@tabler/icons-react';
import { formatDateTime } from './format';

/** Offers the edits kept from last time (a crash, a quit, a reload) before anything else happens. */
export function DraftBanner({
  savedAt,
  stale,
  onRestore,
  onDiscard,
}: {
  savedAt: number;
  /** The project was saved elsewhere after the draft was started. */
  stale: boolean;
  onRestore: () => void;
  onDiscard: () => void;
}) {
  return (
    <Alert color="blue" icon={<IconHistory size={18} />} mb="md" role="region" aria-label="Unsaved draft">
      <Group justify="space-between" wrap="nowrap" gap="md">
        <div>
          <Text size="sm" fw={600}>
            You have unsaved changes from {formatDateTime(savedAt)}
          </Text>
          {stale && (
            <Text size="xs" c="dimmed">
              The project was saved since then; restoring brings back your version of every field.
            </Text>
          )}
        </div>
        <Group gap="xs" wrap="nowrap">
          <Button size="xs" onClick={onRestore}>
            Restore
          </Button>
          <Button size="xs" variant="default" onClick={onDiscard}>
            Discard
          </Button>
        </Group>
      </Group>
    </Alert>
  );
}
