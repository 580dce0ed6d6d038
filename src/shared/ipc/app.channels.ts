export const APP_INVOKE = ['app:info', 'app:ready', 'app:open-external', 'app:dismiss-notice'] as const;
export const APP_EVENTS = ['app:notice'] as const;
export const SETTINGS_INVOKE = ['settings:get', 'settings:update'] as const;
export const SETTINGS_EVENTS = ['settings:changed'] as const;
