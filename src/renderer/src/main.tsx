import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './app.css';
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { useProjectsStore } from './state/projects-store';
import { theme } from './theme';

// The first screen is the projects list, and main's answer is most of the wait for it: ask now, while React
// and Mantine mount, not after the first render (the page's own request then refreshes it once more).
void useProjectsStore.getState().load();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <Notifications position="bottom-right" />
      <App />
    </MantineProvider>
  </StrictMode>,
);
