import { AppShell, Group, NavLink, Stack, Text, Title, useMantineColorScheme } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { IconBox, IconSettings, IconStack2 } from '@tabler/icons-react';
import { useEffect, type ReactNode } from 'react';
import { api, unwrap } from './api';
import { NoticeList } from './components/notice-list';
import { BakesPage } from './pages/bakes-page';
import { ProjectsPage } from './pages/projects-page';
import { SettingsPage } from './pages/settings-page';
import { useAppStore, type Page } from './state/app-store';

const NAV: { page: Page; label: string; icon: ReactNode; shortcut: string }[] = [
  { page: 'projects', label: 'Projects', icon: <IconBox size={18} aria-hidden />, shortcut: '1' },
  { page: 'bakes', label: 'Bakes', icon: <IconStack2 size={18} aria-hidden />, shortcut: '2' },
  { page: 'settings', label: 'Settings', icon: <IconSettings size={18} aria-hidden />, shortcut: '3' },
];

/** Subscribes to main's events first, then says "ready", so nothing emitted in between is lost. */
function useMainConnection() {
  const { setInfo, setSettings, addNotice } = useAppStore.getState();
  useEffect(() => {
    const offs = [api.settings.onChanged(setSettings), api.app.onNotice(addNotice)];
    void (async () => {
      setInfo(await unwrap(api.app.info()));
      setSettings(await unwrap(api.settings.get()));
      const { notices } = await unwrap(api.app.ready());
      notices.forEach(addNotice);
      // A stable signal for tests and diagnostics: main is connected and queued events are flushed.
      document.body.dataset.ready = 'true';
    })();
    return () => offs.forEach((off) => off());
  }, [setInfo, setSettings, addNotice]);
}

function useThemeFromSettings() {
  const theme = useAppStore((s) => s.settings?.theme);
  const { setColorScheme } = useMantineColorScheme();
  useEffect(() => {
    if (theme) setColorScheme(theme === 'system' ? 'auto' : theme);
  }, [theme, setColorScheme]);
}

export function App() {
  useMainConnection();
  useThemeFromSettings();
  const page = useAppStore((s) => s.page);
  const go = useAppStore((s) => s.go);
  const version = useAppStore((s) => s.info?.version);
  useHotkeys(NAV.map(({ page: target, shortcut }) => [`mod+${shortcut}`, () => go(target)]));

  return (
    <AppShell navbar={{ width: 220, breakpoint: 0 }} padding="lg">
      <AppShell.Navbar p="sm" aria-label="Main navigation">
        <Stack gap={4} h="100%">
          <Group gap="xs" px="xs" py="sm">
            <Title order={1} size="h4">
              Quadraxis
            </Title>
          </Group>
          {NAV.map((item) => (
            <NavLink
              key={item.page}
              component="button"
              label={item.label}
              leftSection={item.icon}
              active={page === item.page}
              aria-current={page === item.page ? 'page' : undefined}
              onClick={() => go(item.page)}
              rightSection={
                <Text size="xs" c="dimmed" aria-hidden>
                  Ctrl+{item.shortcut}
                </Text>
              }
            />
          ))}
          <Text size="xs" c="dimmed" px="xs" mt="auto">
            {version ? `Version ${version}` : ''}
          </Text>
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>
        <NoticeList />
        {page === 'projects' && <ProjectsPage />}
        {page === 'bakes' && <BakesPage />}
        {page === 'settings' && <SettingsPage />}
      </AppShell.Main>
    </AppShell>
  );
}
