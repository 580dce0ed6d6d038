export { startWebhookServer, isLoopbackHost, localUrl, type ListenOptions } from './server';
export { openWebhookState, type WebhookState } from './state';
export {
  keyFileBox,
  envKeyBox,
  safeStorageBox,
  serverSecretBox,
  WEBHOOK_KEY_ENV,
  type SafeStorageLike,
  type SecretBox,
} from './secret-box';
export type { TriggerConfig, SecretLookup } from './trigger-store';
export {
  DEFAULT_WEBHOOK_LIMITS,
  type WebhookDeps,
  type WebhookLimits,
  type WebhookServer,
  type DeliveryListener,
} from './types';
export { hookUrl } from './urls';
