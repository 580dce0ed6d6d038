export { startWebhookServer, exposureProblem, isLoopbackHost, localUrl, type ListenOptions } from './server';
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
export type { TriggerConfig, Verifier } from './trigger-store';
export type { SecretKind } from './secrets';
export type { TlsFiles } from './tls';
export type { Refusals } from './refusal-counter';
export {
  DEFAULT_WEBHOOK_LIMITS,
  type WebhookDeps,
  type WebhookLimits,
  type WebhookMetrics,
  type WebhookServer,
  type DeliveryListener,
} from './types';
export { hookUrl } from './urls';
