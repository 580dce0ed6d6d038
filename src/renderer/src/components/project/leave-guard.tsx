import { Button, Group, Modal, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useAppStore } from '../../state/app-store';

/**
 * While there are unsaved edits, leaving the page asks first (save, discard or stay), and closing or
 * reloading the window asks the browser's way. The draft is already on disk either way.
 */
export function LeaveGuard({
  dirty,
  onSave,
  onDiscard,
}: {
  dirty: boolean;
  onSave: () => Promise<boolean>;
  onDiscard: () => Promise<void>;
}) {
  const setLeaveGuard = useAppStore((s) => s.setLeaveGuard);
  const [pending, setPending] = useState<(leave: boolean) => void>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!dirty) return;
    setLeaveGuard(() => new Promise<boolean>((resolve) => setPending(() => resolve)));
    const onBeforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      setLeaveGuard(undefined);
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, [dirty, setLeaveGuard]);

  const answer = async (choice: 'stay' | 'discard' | 'save') => {
    if (!pending) return;
    setBusy(true);
    let leave = choice === 'discard';
    if (choice === 'discard') await onDiscard();
    if (choice === 'save') leave = await onSave();
    setBusy(false);
    setPending(undefined);
    pending(leave);
  };

  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={pending !== undefined}
      onClose={() => void answer('stay')}
      title="Unsaved changes"
      centered
      size={520}
    >
      <Text size="sm">This project has changes that are not saved yet. Save them before leaving?</Text>
      <Group justify="flex-end" mt="lg" wrap="nowrap">
        <Button variant="default" onClick={() => void answer('stay')} disabled={busy}>
          Keep editing
        </Button>
        <Button variant="light" color="red" onClick={() => void answer('discard')} disabled={busy}>
          Discard changes
        </Button>
        <Button onClick={() => void answer('save')} loading={busy}>
          Save and leave
        </Button>
      </Group>
    </Modal>
  );
}
