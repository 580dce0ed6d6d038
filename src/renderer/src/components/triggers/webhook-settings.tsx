import {
  Badge,
  Button,
  Group,
  Modal,
  NumberInput,
  Paper,
  SegmentedControl,
  Stack,
  Switch,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import type { Settings } from '../../../../shared/settings';
import { useAppStore } from '../../state/app-store';
import { saveSettings } from '../../state/save-settings';
import { useWebhookStatus } from './use-webhook-status';
import { WebhookExposure } from './webhook-exposure';

type Webhook = Settings['webhook'];
const LOOPBACK = '127.0.0.1';
const ALL_INTERFACES = '0.0.0.0';

const save = (webhook: Partial<Webhook>) => saveSettings({ webhook }, 'Webhook settings not saved');

/**
 * The Settings section for the app's webhook listener: on/off, who may reach it, the port, HTTPS and the
 * public URL, and its state.
 */
export function WebhookSettings() {
  const webhook = useAppStore((s) => s.settings?.webhook);
  const status = useWebhookStatus();
  const [confirmExpose, setConfirmExpose] = useState(false);
  if (!webhook) return null;

  const exposed = webhook.host !== LOOPBACK && webhook.host !== 'localhost' && webhook.host !== '::1';
  return (
    <Paper withBorder p="lg" component="section" aria-label="Webhook">
      <Title order={3} size="h5" mb="sm">
        Webhook (bake on push)
      </Title>
      <Stack gap="md">
        <Switch
          label="Accept webhooks"
          description="GitHub, git hooks and CI scripts can start bakes of projects that have a token or a GitHub secret (see a project’s Triggers)."
          checked={webhook.enabled}
          onChange={(event) => void save({ enabled: event.currentTarget.checked })}
        />
        <div>
          <Text id="webhook-host-label" size="sm" mb={6}>
            Listen on
          </Text>
          <SegmentedControl
            aria-labelledby="webhook-host-label"
            value={exposed ? 'all' : 'local'}
            onChange={(value) =>
              value === 'all' ? setConfirmExpose(true) : void save({ host: LOOPBACK, insecure: false })
            }
            data={[
              { value: 'local', label: 'This computer only' },
              { value: 'all', label: 'All network interfaces' },
            ]}
          />
        </div>
        {/* Keyed by the saved port: a refused value snaps back to it. */}
        <PortInput key={webhook.port} saved={webhook.port} onCommit={(port) => void save({ port })} />
        <WebhookExposure webhook={webhook} exposed={exposed} save={(change) => void save(change)} />
        <Group gap="xs" aria-live="polite">
          <Text size="sm">Status:</Text>
          {status?.state === 'listening' && (
            <>
              <Badge color="green" variant="light">
                Listening
              </Badge>
              <Text size="sm" ff="monospace">
                {status.url}
              </Text>
              {status.publicUrl && status.publicUrl !== status.url && (
                <Text size="sm" c="dimmed">
                  public:{' '}
                  <Text span ff="monospace">
                    {status.publicUrl}
                  </Text>
                </Text>
              )}
            </>
          )}
          {status?.state === 'starting' && <Badge variant="light">Starting</Badge>}
          {status?.state === 'off' && (
            <Badge color="gray" variant="light">
              Off
            </Badge>
          )}
          {status?.state === 'error' && (
            <>
              <Badge color="red" variant="light">
                Not listening
              </Badge>
              <Text size="sm" c="red">
                {status.error}
              </Text>
            </>
          )}
        </Group>
      </Stack>
      <Modal
        opened={confirmExpose}
        onClose={() => setConfirmExpose(false)}
        title="Let other machines reach the webhook?"
        centered
      >
        <Stack gap="md">
          <Text size="sm">
            The listener will accept connections on every network interface ({ALL_INTERFACES}), not just from
            this computer. It needs HTTPS for that (a certificate and key below), or a TLS proxy in front that
            is the only way in. Requests still need a project’s token or GitHub’s signature.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmExpose(false)}>
              Cancel
            </Button>
            <Button
              color="orange"
              onClick={() => {
                setConfirmExpose(false);
                void save({ host: ALL_INTERFACES });
              }}
            >
              Listen on all interfaces
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}

/** Saved on Enter or when focus leaves, not on every keystroke: each save restarts the listener. */
function PortInput({ saved, onCommit }: { saved: number; onCommit: (port: number) => void }) {
  const [port, setPort] = useState<number | string>(saved);
  const commit = () => {
    if (typeof port === 'number' && Number.isInteger(port) && port >= 1024 && port <= 65535) {
      if (port !== saved) onCommit(port);
    } else setPort(saved);
  };
  return (
    <NumberInput
      label="Port"
      min={1024}
      max={65535}
      value={port}
      onChange={setPort}
      onBlur={commit}
      onKeyDown={(event) => event.key === 'Enter' && commit()}
      maw={200}
    />
  );
}
