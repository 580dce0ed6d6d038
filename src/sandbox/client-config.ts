import type { TrackingClock } from './clock';

/** Any credentials are accepted by the sandbox; these are the ones its helpers and hints use. */
export const SANDBOX_CREDENTIALS: { accessKeyId: string; secretAccessKey: string } = {
  accessKeyId: 'AKIAQUADRAXISSANDBOX',
  secretAccessKey: 'quadraxis-sandbox-secret-access-key-0000',
};

interface AttemptResponse {
  response: { body?: unknown };
}

/** The part of the SDK's HTTP handler a wrapper has to forward (structural, so no @smithy import is needed). */
interface HttpHandlerLike {
  handle(request: never, options?: never): Promise<AttemptResponse>;
  updateHttpClientConfig(key: never, value: never): void;
  httpHandlerConfigs(): object;
  destroy?: () => void;
  metadata?: { handlerProtocol: string };
}

interface HttpHandlerSlot {
  httpHandler(): HttpHandlerLike;
  setHttpHandler(handler: HttpHandlerLike): void;
}

/**
 * A client runtime extension that wraps every HTTP attempt (the handler runs once per attempt, inside the
 * SDK's retry loop) in `clock.track`, reading the whole body before the attempt counts as finished. Virtual
 * time therefore stands still while a request is in flight and moves on between retries.
 */
export function clockTrackingExtension(clock: TrackingClock): { configure(slot: HttpHandlerSlot): void } {
  return {
    configure(slot) {
      const inner = slot.httpHandler();
      slot.setHttpHandler({
        handle: (request, options) => clock.track(inner.handle(request, options).then(bufferBody)),
        updateHttpClientConfig: (key, value) => inner.updateHttpClientConfig(key, value),
        httpHandlerConfigs: () => inner.httpHandlerConfigs(),
        destroy: () => inner.destroy?.(),
        ...(inner.metadata ? { metadata: inner.metadata } : {}),
      });
    },
  };
}

async function bufferBody(output: AttemptResponse): Promise<AttemptResponse> {
  const body = output.response.body;
  if (body && typeof body === 'object' && Symbol.asyncIterator in body) {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
    // The SDK's body collector takes a Uint8Array as it is.
    output.response.body = Buffer.concat(chunks);
  }
  return output;
}

export interface SandboxClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  extensions?: { configure(slot: HttpHandlerSlot): void }[];
}

/**
 * Settings for an EC2, STS or SSM client that talks to the sandbox:
 * `new EC2Client(sandboxClientConfig(handle, { region, clock }))`. With a VirtualClock, every HTTP attempt
 * is tracked so auto mode never moves time under a request.
 */
export function sandboxClientConfig(
  handle: { url: string },
  opts: { region?: string; clock?: TrackingClock } = {},
): SandboxClientConfig {
  return {
    endpoint: handle.url,
    region: opts.region ?? 'us-east-1',
    credentials: { ...SANDBOX_CREDENTIALS },
    ...(opts.clock ? { extensions: [clockTrackingExtension(opts.clock)] } : {}),
  };
}

type Next = (args: unknown) => Promise<unknown>;
type Stack = {
  add(
    middleware: (next: Next) => Next,
    options: { step: 'deserialize'; name: string; priority: 'high'; override: boolean },
  ): void;
};

/**
 * Any SDK v3 client (EC2, STS, SSM…). The SDK's own middleware types are generic per client and
 * overloaded per step, so this only asks for an `add` and narrows it below.
 */
export interface ClientWithMiddleware {
  middlewareStack: { add: unknown };
}

/**
 * For a client built elsewhere (e.g. by the AWS client factory): adds a middleware at the innermost step
 * ('deserialize', which runs once per attempt inside the retry loop) that wraps the attempt — send and
 * parse — in `clock.track`.
 */
export function trackClientWithClock<C extends ClientWithMiddleware>(client: C, clock: TrackingClock): C {
  (client.middlewareStack as Stack).add((next) => (args) => clock.track(next(args)), {
    step: 'deserialize',
    name: 'quadraxisSandboxClockTracking',
    priority: 'high',
    override: true,
  });
  return client;
}
