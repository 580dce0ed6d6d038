import { Alert, Checkbox, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconLock } from '@tabler/icons-react';
import { WebhookPublicUrlSchema, type Settings } from '../../../../shared/settings';
import { CommitInput } from './commit-input';

type Webhook = Settings['webhook'];

/**
 * How the listener is reached from elsewhere: HTTPS with a certificate and key here, or plain HTTP behind
 * a TLS proxy (explicitly allowed), and the public URL hook URLs and status URLs are built from.
 */
export function WebhookExposure({
  webhook,
  exposed,
  save,
}: {
  webhook: Webhook;
  exposed: boolean;
  save: (webhook: Partial<Webhook>) => void;
}) {
  const tls = Boolean(webhook.tls.certFile && webhook.tls.keyFile);
  return (
    <Stack gap="md">
      <Text size="sm" fw={500}>
        HTTPS
      </Text>
      {/* Keyed by the saved values: a refused value snaps back. */}
      <CommitInput
        key={`cert-${webhook.tls.certFile}`}
        label="TLS certificate (PEM, with its chain)"
        placeholder="/etc/letsencrypt/live/hooks.example.com/fullchain.pem"
        saved={webhook.tls.certFile}
        onCommit={(certFile) => save({ tls: { ...webhook.tls, certFile } })}
      />
      <CommitInput
        key={`key-${webhook.tls.keyFile}`}
        label="TLS private key (PEM)"
        placeholder="/etc/letsencrypt/live/hooks.example.com/privkey.pem"
        description="Both files, or neither for plain HTTP. A renewed certificate is picked up within a minute."
        saved={webhook.tls.keyFile}
        onCommit={(keyFile) => save({ tls: { ...webhook.tls, keyFile } })}
      />
      <CommitInput
        key={`url-${webhook.publicUrl}`}
        label="Public URL"
        placeholder="https://hooks.example.com"
        description="Where GitHub reaches the listener, if not at its own address (a reverse proxy or tunnel). Hook URLs and status URLs use it; no request header is trusted for this."
        saved={webhook.publicUrl}
        check={(value) =>
          WebhookPublicUrlSchema.safeParse(value).success
            ? undefined
            : 'An http:// or https:// URL without ? or #.'
        }
        onCommit={(publicUrl) => save({ publicUrl })}
      />
      {exposed && tls && (
        <Alert
          color="green"
          icon={<IconLock size={16} aria-hidden />}
          title="Other machines reach it over HTTPS"
        >
          Every request still needs a project’s token or GitHub’s signature.
        </Alert>
      )}
      {exposed && !tls && (
        <Alert
          color="orange"
          icon={<IconAlertTriangle size={16} aria-hidden />}
          title="Plain HTTP on the network is refused"
        >
          <Stack gap="xs">
            <Text size="sm">
              Tokens and payloads would cross the network in the clear. Give a certificate and key above, or
              put a TLS reverse proxy in front and make it the only way in.
            </Text>
            <Checkbox
              label="Allow plain HTTP: a TLS proxy in front is the only way to reach it"
              checked={webhook.insecure}
              onChange={(event) => save({ insecure: event.currentTarget.checked })}
            />
          </Stack>
        </Alert>
      )}
    </Stack>
  );
}
