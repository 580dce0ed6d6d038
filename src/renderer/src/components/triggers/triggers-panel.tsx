import { Alert, Button, List, Loader, Select, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { TriggerInfo, WebhookSecretKind } from '../../../../shared/ipc/webhook.contract';
import { curlCommand, postReceiveHook } from '../../../../shared/webhook-snippets';
import { api, errorMessage, unwrap } from '../../api';
import { useAppStore } from '../../state/app-store';
import { FormSection } from '../project/form-section';
import { BranchSettings } from './branch-settings';
import { CopyBlock } from './copy-block';
import { DeliveriesTable } from './deliveries-table';
import { SecretField } from './secret-field';
import { SECRET_TEXTS } from './secret-texts';
import { useWebhookStatus } from './use-webhook-status';

const DEFAULT_PROFILE = '';

/**
 * Bake on push for one project: its hook URL, its token (scripts) and GitHub secret (signatures), the AWS
 * profile its webhook bakes use, ready-made curl, git hook and GitHub settings, and the latest deliveries
 * as they arrive, with a count of the requests refused before authentication.
 */
export function TriggersPanel({ project, revision }: { project: string; revision?: string }) {
  const [info, setInfo] = useState<TriggerInfo>();
  const [error, setError] = useState<string>();
  const [revealed, setRevealed] = useState<Partial<Record<WebhookSecretKind, string>>>({});
  const status = useWebhookStatus();
  const appProfile = useAppStore((s) => s.settings?.profile);
  const navigate = useAppStore((s) => s.navigate);

  const [reloads, setReloads] = useState(0);
  // The URL follows the listener's port, so a restart reloads too.
  const listener = status ? `${status.state} ${status.port}` : undefined;

  // A save (a new revision) may have changed the branches the hook text and snippets name.
  useEffect(() => {
    let live = true;
    unwrap(api.webhook.triggers(project)).then(
      (next) => {
        if (!live) return;
        setInfo(next);
        setError(undefined);
      },
      (e: unknown) => live && setError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [project, listener, reloads, revision]);

  useEffect(
    () =>
      api.webhook.onDelivery((event) => {
        if (event.project !== project) return;
        setInfo(
          (current) =>
            current && { ...current, deliveries: [event.delivery, ...current.deliveries].slice(0, 20) },
        );
      }),
    [project],
  );

  if (error)
    return (
      <Alert color="red" title="Triggers could not be loaded">
        {error}
      </Alert>
    );
  if (!info) return <Loader aria-label="Loading triggers" />;

  const generate = async (kind: WebhookSecretKind) => {
    try {
      const { secret } = await unwrap(api.webhook.rotate({ project, secret: kind }));
      setRevealed((shown) => ({ ...shown, [kind]: secret }));
      setReloads((n) => n + 1);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const setProfile = async (profile: string | null) => {
    try {
      setInfo(await unwrap(api.webhook.setProfile({ project, profile: profile ? profile : null })));
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const branches = info.branches.length > 0 ? info.branches.join(' or ') : 'the repository’s default branch';
  return (
    <Stack gap="md" maw={900}>
      {status && !status.enabled && (
        <Alert color="gray" title="The webhook is off">
          Nothing listens for hooks yet. Turn it on in Settings; it listens on this computer only unless you
          choose otherwise.
          <Button
            size="xs"
            variant="default"
            display="block"
            mt="xs"
            onClick={() => void navigate({ page: 'settings' })}
          >
            Open Settings
          </Button>
        </Alert>
      )}
      {status?.state === 'error' && (
        <Alert color="red" title="The webhook is not listening">
          {status.error}
        </Alert>
      )}
      <FormSection
        title="Hook"
        description={`A push to ${branches} bakes ${project}. Every request must carry the token or GitHub’s signature.`}
      >
        <CopyBlock label="Hook URL" value={info.url} />
        {info.legacyTokenRetired && (
          <Alert color="orange" title="Scripts need a token now">
            This project’s secret from an earlier version is its GitHub secret now, so GitHub keeps
            delivering. It no longer works as a bearer token: generate a token for your scripts and git hooks.
          </Alert>
        )}
        <SecretField
          project={project}
          text={SECRET_TEXTS.token}
          set={info.token.set}
          {...(info.token.createdAt !== undefined ? { createdAt: info.token.createdAt } : {})}
          {...(revealed.token ? { revealed: revealed.token } : {})}
          onGenerate={() => generate('token')}
        />
        <SecretField
          project={project}
          text={SECRET_TEXTS.github}
          set={info.githubSecret.set}
          {...(info.githubSecret.createdAt !== undefined ? { createdAt: info.githubSecret.createdAt } : {})}
          {...(info.githubSecret.problem ? { problem: info.githubSecret.problem } : {})}
          {...(revealed.github ? { revealed: revealed.github } : {})}
          onGenerate={() => generate('github')}
        />
        <Select
          label="AWS profile for webhook bakes"
          description="Bakes started by a hook have no one to ask, so they use this profile."
          data={[
            { value: DEFAULT_PROFILE, label: `The app’s selected profile (${appProfile ?? 'none chosen'})` },
            ...info.profiles.map((p) => ({ value: p, label: p })),
          ]}
          value={info.profile ?? DEFAULT_PROFILE}
          onChange={(value) => void setProfile(value)}
          allowDeselect={false}
          maw={420}
        />
        {!info.effectiveProfile && (
          <Text size="sm" c="orange">
            No profile: hooks are answered, but bakes cannot start until one is chosen.
          </Text>
        )}
      </FormSection>
      <BranchSettings />
      <FormSection
        title="Call it"
        description={
          revealed.token ? undefined : 'The token is not shown again: set $QUADRAXIS_WEBHOOK_TOKEN to it.'
        }
      >
        <CopyBlock label="curl command" value={curlCommand(info.url, revealed.token)} />
        <CopyBlock label="Git post-receive hook" value={postReceiveHook(info.url, info.branches)} multiline />
      </FormSection>
      <FormSection title="GitHub" description="Repository → Settings → Webhooks → Add webhook:">
        <List size="sm" spacing={4}>
          <List.Item>
            Payload URL: the hook URL, reachable from GitHub (through a tunnel or an HTTPS reverse proxy; a
            127.0.0.1 address is only reachable from this computer)
          </List.Item>
          <List.Item>Content type: application/json</List.Item>
          <List.Item>Secret: the GitHub secret above (not the token)</List.Item>
          <List.Item>Which events: Just the push event</List.Item>
        </List>
      </FormSection>
      <FormSection
        title="Recent deliveries"
        description="What happened to each authenticated request, newest first."
      >
        {info.refused && info.refused.count > 0 && (
          <Text size="sm" c="dimmed" aria-label="Refused requests">
            {`${info.refused.count.toLocaleString()} request${info.refused.count === 1 ? '' : 's'} refused before authentication since ${new Date(info.refused.firstAt).toLocaleString()} (last ${new Date(info.refused.lastAt).toLocaleString()}): counted, not listed.`}
          </Text>
        )}
        <DeliveriesTable deliveries={info.deliveries} />
      </FormSection>
    </Stack>
  );
}
