import type { Clock } from '../clock';
import type { StoreLogger } from '../store/quarantine';
import { DeliveryIds } from './delivery-ids';
import { DeliveryLog } from './delivery-log';
import { webhookPaths, type WebhookPaths } from './paths';
import type { SecretBox } from './secret-box';
import { TriggerStore } from './trigger-store';

/** The webhook's files in the data directory: what the listener, the app's handlers and the CLI share. */
export interface WebhookState {
  paths: WebhookPaths;
  triggers: TriggerStore;
  deliveries: DeliveryLog;
  deliveryIds: DeliveryIds;
}

export function openWebhookState(options: {
  dataDir: string;
  box: SecretBox;
  clock: Clock;
  logger?: StoreLogger;
  deliveryLogCapBytes?: number;
}): WebhookState {
  const paths = webhookPaths(options.dataDir);
  const logger = options.logger ?? { warn: () => undefined };
  return {
    paths,
    triggers: new TriggerStore({ paths, box: options.box, clock: options.clock, logger }),
    deliveries: new DeliveryLog({
      paths,
      logger,
      ...(options.deliveryLogCapBytes ? { capBytes: options.deliveryLogCapBytes } : {}),
    }),
    deliveryIds: new DeliveryIds({ paths, clock: options.clock }),
  };
}
