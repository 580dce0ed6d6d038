import {
  Alert,
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
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState } from 'react';
import type { Settings } from '../../../../shared/settings';
import { useAppStore } from '../../state/app-store';
import { saveSettings } from '../../state/save-settings';
import { useWebhookStatus } from './use-webhook-status';

type Webhook = Settings['webhook'];
const LOOPBACK = '127.0.0.1';
const ALL_INTERFACES = '0.0.0.0';

// The whole object: a patch with one field would reset the others to their defaults.
const save = (webhook: Webhook) => saveSettings({ webhook }, 'Webhook settings not saved');

/** The Settings section for the app's webhook listener: on/off, who may reach it, the port, and its state. */
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
          description="GitHub, git hooks and CI scripts can start bakes of projects that have a secret (see a project’s Triggers)."
          checked={webhook.enabled}
          onChange={(event) => void save({ ...webhook, enabled: event.currentTarget.checked })}
        />
        <div>
          <Text id="webhook-host-label" size="sm" mb={6}>
            Listen on
          </Text>
          <SegmentedControl
            aria-labelledby="webhook-host-label"
            value={exposed ? 'all' : 'local'}
            onChange={(value) =>
              value === 'all' ? setConfirmExpose(true) : void save({ ...webhook, host: LOOPBACK })
            }
            data={[
              { value: 'local', label: 'This computer only' },
              { value: 'all', label: 'All network interfaces' },
            ]}
          />
        </div>
        {exposed && (
          <Alert
            color="orange"
            icon={<IconAlertTriangle size={16} aria-hidden />}
            title="Other machines can reach the webhook"
          >
            It listens on {webhook.host}. Every request still needs a project’s secret, but the traffic is
            plain HTTP: put an HTTPS reverse proxy in front of it before exposing it beyond your network.
          </Alert>
        )}
        {/* Keyed by the saved port: a refused value snaps back to it. */}
        <PortInput
          key={webhook.port}
          saved={webhook.port}
          onCommit={(port) => void save({ ...webhook, port })}
        />
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
            this computer. Requests still need a project’s secret.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmExpose(false)}>
              Cancel
            </Button>
            <Button
              color="orange"
              onClick={() => {
                setConfirmExpose(false);
                void save({ ...webhook, host: ALL_INTERFACES });
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
