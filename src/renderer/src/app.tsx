import {
  AppShell,
  Center,
  Group,
  Loader,
  NavLink,
  Stack,
  Text,
  Title,
  useMantineColorScheme,
} from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { IconBox, IconSettings, IconStack2 } from '@tabler/icons-react';
import { Suspense, useEffect, type ReactNode } from 'react';
import { api, unwrap } from './api';
import { ProfileStatus } from './components/aws/profile-status';
import { ErrorBoundary } from './components/error-boundary';
import { NoticeList } from './components/notice-list';
import {
  BakePage,
  BakesPage,
  DeploymentPage,
  prefetchPages,
  ProjectPage,
  SettingsPage,
} from './pages/lazy-pages';
import { ProjectsPage } from './pages/projects-page';
import { sectionOf, useAppStore, type Route, type TopPage } from './state/app-store';

const NAV: { page: TopPage; label: string; icon: ReactNode; shortcut: string }[] = [
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

/**
 * Each navigation is a new visit: its page mounts afresh (and reads main again), even when a quick
 * back-and-forth never committed the page in between — a lazy page still loading suspends that render,
 * which would otherwise leave the old instance of the page where it was.
 */
const visits = new WeakMap<Route, number>();
let lastVisit = 0;
function visitOf(route: Route): number {
  let visit = visits.get(route);
  if (visit === undefined) visits.set(route, (visit = ++lastVisit));
  return visit;
}

/** The other pages' chunks, fetched once the window has loaded and is idle (see lazy-pages). */
function usePrefetchedPages() {
  useEffect(() => {
    let cancel = (): void => undefined;
    const start = () => (cancel = prefetchPages());
    if (document.readyState === 'complete') start();
    else window.addEventListener('load', start, { once: true });
    return () => {
      window.removeEventListener('load', start);
      cancel();
    };
  }, []);
}

export function App() {
  useMainConnection();
  useThemeFromSettings();
  usePrefetchedPages();
  const route = useAppStore((s) => s.route);
  const navigate = useAppStore((s) => s.navigate);
  const section = sectionOf(route);
  const visit = visitOf(route);
  const version = useAppStore((s) => s.info?.version);
  useHotkeys(NAV.map(({ page, shortcut }) => [`mod+${shortcut}`, () => void navigate({ page })]));

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 0 }} padding="lg">
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between" wrap="nowrap" gap="md">
          <Title order={1} size="h4">
            Quadraxis
          </Title>
          <ProfileStatus />
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Main navigation">
        <Stack gap={4} h="100%">
          {NAV.map((item) => (
            <NavLink
              key={item.page}
              component="button"
              label={item.label}
              leftSection={item.icon}
              active={section === item.page}
              aria-current={section === item.page ? 'page' : undefined}
              onClick={() => void navigate({ page: item.page })}
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
        <ErrorBoundary resetKey={JSON.stringify(route)}>
          <Suspense
            fallback={
              <Center py="xl">
                <Loader aria-label="Loading the page" />
              </Center>
            }
          >
            {route.page === 'projects' && <ProjectsPage key={visit} />}
            {route.page === 'project' && <ProjectPage key={visit} name={route.name} />}
            {route.page === 'bakes' && <BakesPage key={visit} />}
            {route.page === 'bake' && <BakePage key={visit} id={route.id} />}
            {route.page === 'deployment' && <DeploymentPage key={visit} id={route.id} />}
            {route.page === 'settings' && <SettingsPage key={visit} />}
          </Suspense>
        </ErrorBoundary>
      </AppShell.Main>
    </AppShell>
  );
}
