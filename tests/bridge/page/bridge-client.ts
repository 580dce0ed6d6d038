/// <reference lib="dom" />
/**
 * Runs in the page, before the app's own scripts (Playwright addInitScript). It provides
 * `window.quadraxis` with the same shape the preload builds, but carries every call and event over a
 * loopback WebSocket to the bridge server. It must be self-contained: it is serialised with toString().
 */
export interface BridgeClientConfig {
  wsUrl: string;
  invoke: [channel: string, area: string, method: string][];
  events: [channel: string, area: string, method: string][];
}

export function installBridgeClient(config: BridgeClientConfig): void {
  type Pending = { resolve: (value: unknown) => void };
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const outbox: string[] = [];
  let nextId = 1;
  const socket = new WebSocket(config.wsUrl);
  socket.addEventListener('open', () => outbox.splice(0).forEach((m) => socket.send(m)));
  socket.addEventListener('message', (message: MessageEvent<string>) => {
    const data = JSON.parse(message.data) as
      { type: 'result'; id: number; result: unknown } | { type: 'event'; channel: string; payload: unknown };
    if (data.type === 'result') {
      pending.get(data.id)?.resolve(data.result);
      pending.delete(data.id);
    } else {
      listeners.get(data.channel)?.forEach((listener) => listener(data.payload));
    }
  });
  const send = (message: string) =>
    socket.readyState === WebSocket.OPEN ? socket.send(message) : outbox.push(message);

  const api: Record<string, Record<string, unknown>> = {};
  for (const [channel, area, method] of config.invoke) {
    (api[area] ??= {})[method] = (request?: unknown) =>
      new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, { resolve });
        send(JSON.stringify({ type: 'invoke', id, channel, request }));
      });
  }
  for (const [channel, area, method] of config.events) {
    (api[area] ??= {})[method] = (listener: (payload: unknown) => void) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
      return () => listeners.get(channel)!.delete(listener);
    };
  }
  Object.defineProperty(window, 'quadraxis', { value: Object.freeze(api), writable: false });
}
