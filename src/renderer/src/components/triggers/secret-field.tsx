import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { IconKey, IconRefresh } from '@tabler/icons-react';
import { useState } from 'react';
import { CopyBlock } from './copy-block';

/**
 * The secret is shown once, right after it is generated; after that only that one exists. Regenerating
 * asks first, because the old secret stops working at once.
 */
export function SecretField({
  project,
  hasSecret,
  createdAt,
  problem,
  revealed,
  onGenerate,
}: {
  project: string;
  hasSecret: boolean;
  createdAt?: number;
  problem?: string;
  revealed?: string;
  onGenerate: () => Promise<void>;
}) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const generate = async () => {
    setBusy(true);
    try {
      await onGenerate();
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  return (
    <Stack gap="xs">
      {revealed ? (
        <>
          <CopyBlock label="Secret" value={revealed} />
          <Alert color="yellow" icon={<IconKey size={16} aria-hidden />} title="Copy the secret now" p="xs">
            It is shown only this once. Quadraxis keeps it encrypted and uses it to check signatures and
            tokens.
          </Alert>
        </>
      ) : hasSecret ? (
        <Text size="sm" aria-label="Secret">
          <Text span ff="monospace">
            qxw_••••••••••••
          </Text>{' '}
          <Text span c="dimmed" size="xs">
            {createdAt ? `generated ${new Date(createdAt).toLocaleString()}` : ''}
          </Text>
        </Text>
      ) : (
        <Text size="sm" c="dimmed">
          No secret yet: generate one to turn this project’s hook on.
        </Text>
      )}
      {problem && (
        <Alert color="orange" title="This secret cannot be used here" p="xs">
          {problem}
        </Alert>
      )}
      <Group>
        {hasSecret ? (
          <Button
            variant="default"
            size="xs"
            leftSection={<IconRefresh size={14} aria-hidden />}
            onClick={() => setConfirming(true)}
          >
            Regenerate secret…
          </Button>
        ) : (
          <Button
            size="xs"
            leftSection={<IconKey size={14} aria-hidden />}
            loading={busy}
            onClick={() => void generate()}
          >
            Generate secret
          </Button>
        )}
      </Group>
      <Modal
        opened={confirming}
        onClose={() => setConfirming(false)}
        title={`Regenerate the secret of ${project}?`}
        centered
      >
        <Stack gap="md">
          <Text size="sm">
            The current secret stops working at once, also for a running quadraxis serve. Update it in GitHub
            and in your scripts afterwards.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button color="red" loading={busy} onClick={() => void generate()}>
              Regenerate
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
