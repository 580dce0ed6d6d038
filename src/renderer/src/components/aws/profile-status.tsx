import { ActionIcon, Badge, Group, Select, Text, Tooltip } from '@mantine/core';
import { IconFlask, IconRefresh } from '@tabler/icons-react';
import { useEffect } from 'react';
import { SANDBOX_PROFILE, type AwsProfile } from '../../../../shared/aws';
import { useAwsStore } from '../../state/aws-store';
import { effectiveProfile } from './profile-choice';
import { useAppStore } from '../../state/app-store';
import { IdentityIndicator } from './identity-indicator';
import { MfaDialog } from './mfa-dialog';
import { regionOptions } from './regions';

const KIND_LABELS: Record<AwsProfile['kind'], string> = {
  keys: 'access keys',
  sso: 'SSO',
  'assume-role': 'assume role',
  'web-identity': 'web identity',
  process: 'credential process',
  login: 'aws login',
  environment: 'environment',
  sandbox: 'offline simulator',
  incomplete: 'no credentials',
};

/**
 * The header's AWS status: which profile and region everything uses, who that is, and a clear "Simulated"
 * badge while the Sandbox is chosen. The choice is kept in settings, so the CLI-less parts of the app (bake,
 * pickers, permission check) all follow it.
 */
export function ProfileStatus() {
  const settings = useAppStore((s) => s.settings);
  const { profiles, profilesError, identity, loadProfiles, resolveIdentity, chooseProfile, chooseRegion } =
    useAwsStore();
  const profile = effectiveProfile(settings, profiles);
  const region = settings?.region;
  const ready = settings !== undefined && profiles !== undefined;

  useEffect(() => void loadProfiles(), [loadProfiles]);
  useEffect(() => {
    // The first start has no choice saved: keep the default so bakes and the header agree on it.
    if (ready && settings.profile === undefined) void chooseProfile(profile);
  }, [ready, settings?.profile, profile, chooseProfile]);
  useEffect(() => {
    if (ready) void resolveIdentity();
  }, [ready, profile, region, resolveIdentity]);

  const current = profiles?.profiles.find((p) => p.name === profile);
  const simulated = profile === SANDBOX_PROFILE;
  const data = (profiles?.profiles ?? []).map((p) => ({ value: p.name, label: p.label }));

  return (
    <Group gap="sm" wrap="nowrap" justify="flex-end" miw={0}>
      {simulated && (
        <Tooltip label="Everything runs against the offline EC2 simulator: images and instances are not real.">
          <Badge
            color="grape"
            variant="filled"
            size="lg"
            radius="sm"
            leftSection={<IconFlask size={14} aria-hidden />}
            tabIndex={0}
          >
            Simulated
          </Badge>
        </Tooltip>
      )}
      <Select
        aria-label="AWS profile"
        size="xs"
        w={250}
        data={data}
        value={profiles ? profile : null}
        placeholder={profiles ? 'Choose a profile' : 'Loading profiles…'}
        allowDeselect={false}
        searchable
        comboboxProps={{ width: 320, position: 'bottom-end' }}
        renderOption={({ option }) => {
          const p = profiles?.profiles.find((x) => x.name === option.value);
          return (
            <div>
              <Text size="sm">{option.label}</Text>
              <Text size="xs" c="dimmed">
                {p ? KIND_LABELS[p.kind] : ''}
                {p?.region ? ` · ${p.region}` : ''}
                {p && !p.usable ? ' · not usable as written' : ''}
              </Text>
            </div>
          );
        }}
        onChange={(value) => value && void chooseProfile(value)}
        error={Boolean(profilesError)}
      />
      <Select
        aria-label="Region"
        size="xs"
        w={200}
        data={regionOptions(current?.region, region)}
        value={region ?? null}
        placeholder={current?.region ? `Profile default (${current.region})` : 'Choose a region'}
        searchable
        clearable
        comboboxProps={{ width: 260, position: 'bottom-end' }}
        onChange={(value) => void chooseRegion(value)}
      />
      <IdentityIndicator state={identity} onRetry={() => void resolveIdentity(true)} />
      <Tooltip label="Re-read ~/.aws/config and credentials">
        <ActionIcon
          variant="subtle"
          color="gray"
          aria-label="Reload AWS profiles"
          onClick={() => void loadProfiles(true).then(() => resolveIdentity(true))}
        >
          <IconRefresh size={16} />
        </ActionIcon>
      </Tooltip>
      <MfaDialog />
    </Group>
  );
}
