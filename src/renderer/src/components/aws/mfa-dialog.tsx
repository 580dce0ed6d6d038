import { Button, Group, Modal, PinInput, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { MfaRequest } from '../../../../shared/ipc/aws.contract';
import { api } from '../../api';

/**
 * Asks for an MFA code when a profile's credentials need one. Main sends the request (profile and device,
 * nothing secret); the code goes back once, to the credential provider, and is not kept here.
 */
export function MfaDialog() {
  const [queue, setQueue] = useState<MfaRequest[]>([]);
  const [code, setCode] = useState('');
  const current = queue[0];
  useEffect(() => api.aws.onMfaRequest((request) => setQueue((q) => [...q, request])), []);

  const answer = async (value: string | null) => {
    if (!current) return;
    setQueue((q) => q.slice(1));
    setCode('');
    await api.aws.mfaAnswer({ requestId: current.requestId, code: value });
  };

  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={current !== undefined}
      onClose={() => void answer(null)}
      title="MFA code needed"
      centered
      size="sm"
    >
      {current && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (code.length === 6) void answer(code);
          }}
        >
          <Stack gap="md">
            <Text size="sm">
              Profile <b>{current.profile}</b> needs a code from the MFA device
            </Text>
            <Text size="xs" c="dimmed" ff="monospace" style={{ wordBreak: 'break-all' }}>
              {current.mfaSerial}
            </Text>
            <PinInput
              length={6}
              type="number"
              oneTimeCode
              autoFocus
              value={code}
              onChange={setCode}
              aria-label="MFA code"
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => void answer(null)}>
                Cancel
              </Button>
              <Button type="submit" disabled={code.length !== 6}>
                Continue
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
