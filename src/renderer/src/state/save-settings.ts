import { notifications } from '@mantine/notifications';
import type { SettingsPatch } from '../../../shared/settings';
import { api, errorMessage, unwrap } from '../api';
import { useAppStore } from './app-store';

/** Saves a change to the settings and keeps main's answer; a failure is shown as a notification, not thrown. */
export async function saveSettings(patch: SettingsPatch, failureTitle = 'Settings not saved'): Promise<void> {
  try {
    useAppStore.getState().setSettings(await unwrap(api.settings.update(patch)));
  } catch (error) {
    notifications.show({ color: 'red', title: failureTitle, message: errorMessage(error) });
  }
}
