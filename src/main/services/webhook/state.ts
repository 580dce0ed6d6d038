import type { Clock } from '../clock';
import type { StoreLogger } from '../store/quarantine';
import { DeliveryLog } from './delivery-log';
import { webhookPaths, type WebhookPaths } from './paths';
import { readRefusals, type Refusals } from './refusal-counter';
import { ReplayMarkers } from './replay-markers';
import type { SecretBox } from './secret-box';
import { TriggerStore } from './trigger-store';

/** The webhook's files in the data directory: what the listener, the app's handlers and the CLI share. */
export interface WebhookState {
  paths: WebhookPaths;
  triggers: TriggerStore;
  deliveries: DeliveryLog;
  replays: ReplayMarkers;
  refusals(project: string): Promise<Refusals | undefined>;
}

export function openWebhookState(options: {
  dataDir: string;
  box: SecretBox;
  clock: Clock;
  logger?: StoreLogger;
  deliveryLogCapBytes?: number;
  replayWindowMs?: number;
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
    replays: new ReplayMarkers({
      paths,
      clock: options.clock,
      ...(options.replayWindowMs ? { windowMs: options.replayWindowMs } : {}),
    }),
    refusals: (project) => readRefusals(paths, project),
  };
}
