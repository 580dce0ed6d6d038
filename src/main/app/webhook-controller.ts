import type { Delivery, WebhookStatus } from '../../shared/ipc/webhook.contract';
import type { Settings } from '../../shared/settings';
import {
  exposureProblem,
  isLoopbackHost,
  keyFileBox,
  localUrl,
  openWebhookState,
  startWebhookServer,
  type SecretBox,
  type WebhookServer,
  type WebhookState,
} from '../services/webhook';
import { webhookPaths } from '../services/webhook/paths';
import type { AppContext } from './app-context';

type Listen = Settings['webhook'];

/** The certificate and key from Settings, when both are given; one without the other is an error. */
function tlsOf(listen: Listen): { certFile: string; keyFile: string } | undefined {
  const { certFile, keyFile } = listen.tls;
  return certFile && keyFile ? { certFile, keyFile } : undefined;
}

/**
 * Runs the app's webhook listener as Settings say: off by default, restarted when any of its settings
 * changes, stopped when turned off. Transitions run one at a time, so flipping the switch quickly never
 * leaves two listeners or a stale status.
 */
export class WebhookController {
  readonly state: WebhookState;
  readonly box: SecretBox;
  private server: WebhookServer | undefined;
  private applied: Listen | undefined;
  private current: WebhookStatus;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly statusListeners = new Set<(status: WebhookStatus) => void>();
  private readonly deliveryListeners = new Set<(project: string, delivery: Delivery) => void>();

  constructor(private readonly ctx: AppContext) {
    // Without Electron's safeStorage (the test bridge, or a Linux session without a keyring) secrets are
    // sealed with the same owner-only key file `quadraxis serve` uses.
    this.box = ctx.secretBox ?? keyFileBox(webhookPaths(ctx.dataDir).keyFile);
    this.state = openWebhookState({
      dataDir: ctx.dataDir,
      box: this.box,
      clock: ctx.clock,
      logger: { warn: (message) => ctx.logger.warn(message) },
    });
    this.current = this.describe(ctx.settings.get().webhook, 'off');
  }

  /** Follows the settings from now on; returns the unsubscribe. */
  start(): () => void {
    this.apply(this.ctx.settings.get().webhook);
    return this.ctx.settings.onChange((settings) => this.apply(settings.webhook));
  }

  status(): WebhookStatus {
    return this.current;
  }

  /** Where the world reaches the listener: Settings' public URL, else its address on this computer. */
  baseUrl(): string {
    const listen = this.ctx.settings.get().webhook;
    return (
      this.server?.publicUrl ?? (listen.publicUrl || localUrl(listen.host, listen.port, !!tlsOf(listen)))
    );
  }

  onStatus(listener: (status: WebhookStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onDelivery(listener: (project: string, delivery: Delivery) => void): () => void {
    this.deliveryListeners.add(listener);
    return () => this.deliveryListeners.delete(listener);
  }

  /** Waits for pending transitions, then stops the listener for good. */
  close(): Promise<void> {
    this.closed = true;
    return this.enqueue(() => this.stop());
  }

  private apply(listen: Listen): void {
    if (this.applied && JSON.stringify(this.applied) === JSON.stringify(listen)) return;
    this.applied = structuredClone(listen);
    void this.enqueue(async () => {
      await this.stop();
      if (!listen.enabled || this.closed) return this.set(this.describe(listen, 'off'));
      this.set(this.describe(listen, 'starting'));
      const tls = tlsOf(listen);
      const halfTls = !tls && (listen.tls.certFile || listen.tls.keyFile);
      const problem = halfTls
        ? 'Give both a TLS certificate and its private key, or neither.'
        : exposureProblem(listen.host, { tls, insecure: listen.insecure });
      if (problem) return this.set({ ...this.describe(listen, 'error'), error: problem });
      if (!isLoopbackHost(listen.host)) {
        this.ctx.logger.warn('the webhook listener accepts connections from other machines', {
          host: listen.host,
          tls: Boolean(tls),
        });
      }
      try {
        const server = await startWebhookServer(
          {
            state: this.state,
            projects: this.ctx.runtime.store.projects,
            bakes: this.ctx.runtime.store.bakes,
            engine: this.ctx.runtime.engine,
            clock: this.ctx.clock,
            logger: this.ctx.logger,
            defaultProfile: () => this.ctx.settings.get().profile,
          },
          {
            host: listen.host,
            port: listen.port,
            ...(tls ? { tls } : {}),
            insecure: listen.insecure,
            ...(listen.publicUrl ? { publicUrl: listen.publicUrl } : {}),
          },
        );
        server.onDelivery((project, delivery) => this.deliveryListeners.forEach((l) => l(project, delivery)));
        this.server = server;
        this.set({
          ...this.describe(listen, 'listening'),
          url: server.url,
          publicUrl: server.publicUrl,
        });
      } catch (error) {
        this.set({
          ...this.describe(listen, 'error'),
          error: error instanceof Error ? error.message : String(error),
        });
      }
    });
  }

  private async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.close();
  }

  private enqueue(step: () => Promise<void> | void): Promise<void> {
    this.queue = this.queue
      .then(step)
      .catch((error: unknown) => this.ctx.logger.error('webhook controller failed', { error }));
    return this.queue;
  }

  private describe(listen: Listen, state: WebhookStatus['state']): WebhookStatus {
    return {
      enabled: listen.enabled,
      state,
      host: listen.host,
      port: listen.port,
      tls: Boolean(tlsOf(listen)),
      exposed: !isLoopbackHost(listen.host),
      secretBox: this.box.kind,
    };
  }

  private set(status: WebhookStatus): void {
    // Start-up with the webhook off changes nothing the renderer needs to hear about.
    if (JSON.stringify(status) === JSON.stringify(this.current)) return;
    this.current = status;
    for (const listener of this.statusListeners) listener(status);
  }
}

const controllers = new WeakMap<AppContext, WebhookController>();

/** One controller per app context: wireWebhook starts it, the handlers read it. */
export function webhookController(ctx: AppContext): WebhookController {
  let controller = controllers.get(ctx);
  if (!controller) controllers.set(ctx, (controller = new WebhookController(ctx)));
  return controller;
}

/** Stops the app's listener (on quit, and when a test bridge closes). */
export function closeWebhook(ctx: AppContext): Promise<void> {
  return controllers.get(ctx)?.close() ?? Promise.resolve();
}
