import type { Delivery } from '../../../shared/ipc/webhook.contract';
import type { BakeEngine } from '../bake';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { Store } from '../store';
import type { WebhookState } from './state';

export interface WebhookLimits {
  /** Bodies over this are refused with 413. Default 1 MiB. */
  maxBodyBytes: number;
  /** Bakes per project per sliding minute before 429. Default 12. */
  perMinute: number;
}

export const DEFAULT_WEBHOOK_LIMITS: WebhookLimits = { maxBodyBytes: 1024 * 1024, perMinute: 12 };

export interface WebhookDeps {
  state: WebhookState;
  projects: Pick<Store['projects'], 'get'>;
  engine: Pick<BakeEngine, 'start' | 'get'>;
  clock: Clock;
  logger: Logger;
  /**
   * The AWS profile for projects without a webhook profile of their own: the app's selected profile, or
   * `quadraxis serve --profile`. Read at each delivery, so changing it in the app applies at once.
   */
  defaultProfile: () => string | undefined;
  limits?: Partial<WebhookLimits>;
}

export type DeliveryListener = (project: string, delivery: Delivery) => void;

export interface WebhookServer {
  /** Where to reach it from this machine: http://127.0.0.1:<port> (or the bound address). */
  url: string;
  host: string;
  port: number;
  onDelivery(listener: DeliveryListener): () => void;
  close(): Promise<void>;
}
