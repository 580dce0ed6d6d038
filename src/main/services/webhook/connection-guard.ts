import type { Server } from 'node:net';
import type { Socket } from 'node:net';
import { addressKey } from './address';

export interface ConnectionStats {
  open: number;
  accepted: number;
  dropped: number;
  bytesReceived: number;
}

/** Written straight to a plain-HTTP connection over the per-address cap, so the client learns why. */
const TOO_MANY =
  'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n';

/**
 * Caps connections before a byte is parsed: `server.maxConnections` in all (Node closes the extra ones on
 * arrival and says so with a `drop` event), and `perAddress` from one address (answered 503 over plain
 * HTTP, closed during a TLS handshake). Counts what was read, so a test can tell a body that was refused
 * from one that was read.
 */
export function guardConnections(
  server: Server,
  perAddress: number,
  plain: boolean,
): { stats(): ConnectionStats } {
  const byAddress = new Map<string, number>();
  const open = new Set<Socket>();
  let accepted = 0;
  let dropped = 0;
  let closedBytes = 0;
  server.on('drop', () => dropped++);
  server.on('connection', (socket: Socket) => {
    const key = addressKey(socket.remoteAddress);
    const count = byAddress.get(key) ?? 0;
    if (count >= perAddress) {
      dropped++;
      // Destroyed once written: a half-closed socket would still count against the server's cap.
      if (plain) socket.end(TOO_MANY, () => socket.destroy());
      else socket.destroy();
      return;
    }
    accepted++;
    byAddress.set(key, count + 1);
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      closedBytes += socket.bytesRead;
      const left = (byAddress.get(key) ?? 1) - 1;
      if (left > 0) byAddress.set(key, left);
      else byAddress.delete(key);
    });
  });
  return {
    stats() {
      let bytes = closedBytes;
      for (const socket of open) bytes += socket.bytesRead;
      return { open: open.size, accepted, dropped, bytesReceived: bytes };
    },
  };
}
