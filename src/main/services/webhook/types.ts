import type { Delivery } from '../../../shared/ipc/webhook.contract';
import type { BakeEngine } from '../bake';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { Store } from '../store';
import type { WebhookState } from './state';

/**
 * What one listener spends on the network before and after authentication. The defaults bound a flood:
 * bodies being read take at most the body budget plus a small body per connection, and each connection a
 * few tens of KiB besides (see the README).
 */
export interface WebhookLimits {
  /** Bodies over this are refused with 413. Default 1 MiB. */
  maxBodyBytes: number;
  /** Bakes started per project per sliding minute before 429. Default 12. */
  perMinute: number;
  /** Open connections at once; more are dropped on arrival. Default 256. */
  maxConnections: number;
  /** Open connections from one address (an IPv6 /64) at once. Default 16. */
  maxConnectionsPerAddress: number;
  /** Request headers must be complete this long after the connection opened (or went idle). Default 5 s. */
  headersTimeoutMs: number;
  /** The whole request, body included. Default 10 s. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. Default 5 s. */
  keepAliveTimeoutMs: number;
  /** How often the two timeouts above are checked (Node's default of 30 s lets slow clients linger). */
  timeoutCheckMs: number;
  /** A TLS handshake must finish within this. Default 5 s. */
  tlsHandshakeTimeoutMs: number;
  /**
   * Bodies up to this size are read without asking the budget below: a typical GitHub push is a few KiB,
   * so a flood of large bodies cannot crowd a delivery out. Default 64 KiB.
   */
  smallBodyBytes: number;
  /** Larger request bodies being read at once, all addresses together. Default 16 MiB. */
  bodyBudgetBytes: number;
  /** Larger request bodies being read at once from one address. Default 4 MiB. */
  bodyBudgetPerAddressBytes: number;
  /** Failed authentications an address may make in a burst before it gets 429. Default 20. */
  failedAuthBurst: number;
  /** After the burst, one more failure is allowed per this many ms. Default 3 s (20 a minute). */
  failedAuthRefillMs: number;
}

export const DEFAULT_WEBHOOK_LIMITS: WebhookLimits = {
  maxBodyBytes: 1024 * 1024,
  perMinute: 12,
  maxConnections: 256,
  maxConnectionsPerAddress: 16,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  timeoutCheckMs: 500,
  tlsHandshakeTimeoutMs: 5_000,
  smallBodyBytes: 64 * 1024,
  bodyBudgetBytes: 16 * 1024 * 1024,
  bodyBudgetPerAddressBytes: 4 * 1024 * 1024,
  failedAuthBurst: 20,
  failedAuthRefillMs: 3_000,
};

export interface WebhookDeps {
  state: WebhookState;
  projects: Pick<Store['projects'], 'get'>;
  /** To tell a bake some process still runs from one a dead process left behind. */
  bakes: Pick<Store['bakes'], 'liveOwner'>;
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

/** What the listener has seen since it started: for the load test, the summary log line and the curious. */
export interface WebhookMetrics {
  openConnections: number;
  acceptedConnections: number;
  /** Closed on arrival: over the connection cap or the per-address cap. */
  droppedConnections: number;
  /** Bytes read from all connections, headers included. */
  bytesReceived: number;
  /** Requests answered 401, 413, 429 or 503 before they were authenticated. */
  refused: number;
}

export interface WebhookServer {
  /** Where to reach it from this machine: http(s)://127.0.0.1:<port> (or the bound address). */
  url: string;
  /** Where the world reaches it: the configured public URL, else `url`. Hook URLs and Location use it. */
  publicUrl: string;
  host: string;
  port: number;
  tls: boolean;
  onDelivery(listener: DeliveryListener): () => void;
  metrics(): WebhookMetrics;
  close(): Promise<void>;
}
