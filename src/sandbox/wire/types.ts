import type { IncomingHttpHeaders } from 'node:http';

export interface WireRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type WireResponse =
  | { kind: 'reply'; status: number; headers: Record<string, string>; body: string }
  /** Destroy the socket without answering (an injected dropped connection). */
  | { kind: 'drop' };
