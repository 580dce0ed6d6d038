import {
  Code,
  Loader,
  NumberInput,
  Paper,
  SegmentedControl,
  Stack,
  Switch,
  Text,
  Title,
} from '@mantine/core';
import { PageHeader } from '../components/page-header';
import { VmSettings } from '../components/sandbox/vm-settings';
import { WebhookSettings } from '../components/triggers/webhook-settings';
import { useAppStore } from '../state/app-store';
import { saveSettings } from '../state/save-settings';

export function SettingsPage() {
  const settings = useAppStore((s) => s.settings);
  const dataDir = useAppStore((s) => s.info?.dataDir);
  if (!settings) return <Loader aria-label="Loading settings" />;

  return (
    <>
      <PageHeader title="Settings" description="Saved on this computer. Credentials are never stored here." />
      <Stack gap="lg" maw={720}>
        <Paper withBorder p="lg">
          <Title order={3} size="h5" mb="sm">
            Appearance
          </Title>
          <Text id="theme-label" size="sm" mb={6}>
            Theme
          </Text>
          <SegmentedControl
            aria-labelledby="theme-label"
            value={settings.theme}
            onChange={(theme) => void saveSettings({ theme })}
            data={[
              { value: 'system', label: 'Follow system' },
              { value: 'light', label: 'Light' },
              { value: 'dark', label: 'Dark' },
            ]}
          />
        </Paper>
        <Paper withBorder p="lg">
          <Title order={3} size="h5" mb="sm">
            Bakes
          </Title>
          <Stack gap="md">
            <NumberInput
              label="Concurrent bakes per region"
              description="More bakes than this wait in a queue."
              min={1}
              max={50}
              value={settings.bakes.concurrencyPerRegion}
              onChange={(value) =>
                typeof value === 'number' && void saveSettings({ bakes: { concurrencyPerRegion: value } })
              }
              maw={320}
            />
            <NumberInput
              label="Default script timeout (minutes)"
              description="New projects start with it; each project keeps its own in Launch settings."
              min={1}
              max={1440}
              value={settings.bakes.scriptTimeoutMinutes}
              onChange={(value) =>
                typeof value === 'number' && void saveSettings({ bakes: { scriptTimeoutMinutes: value } })
              }
              maw={320}
            />
            <Switch
              label="Notify me when a bake finishes while the window is in the background"
              checked={settings.bakes.notifyWhenDone}
              onChange={(event) =>
                void saveSettings({ bakes: { notifyWhenDone: event.currentTarget.checked } })
              }
            />
          </Stack>
        </Paper>
        <WebhookSettings />
        <VmSettings />
        <Paper withBorder p="lg">
          <Title order={3} size="h5" mb="sm">
            Data
          </Title>
          <Text size="sm">Projects, versions and bake records are kept in</Text>
          <Code block mt={6} aria-label="Data directory">
            {dataDir ?? '…'}
          </Code>
          <Text size="xs" c="dimmed" mt={6}>
            The quadraxis command line uses the same directory (override with --data-dir or
            QUADRAXIS_DATA_DIR).
          </Text>
        </Paper>
      </Stack>
    </>
  );
}
