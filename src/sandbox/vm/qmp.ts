import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * QEMU's machine protocol over the socket QEMU connected to: JSON objects, one per line. After the
 * greeting, `qmp_capabilities` leaves negotiation mode; then commands are answered in order, and events
 * (`SHUTDOWN`, `RESET`, `POWERDOWN`…) arrive whenever they happen.
 */
export class QmpConnection extends EventEmitter<{ event: [QmpEvent]; close: [] }> {
  private buffer = '';
  private readonly queue: Pending[] = [];
  private greeting?: Pending;
  private closed = false;

  constructor(private readonly socket: Socket) {
    super();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.closed = true;
      const error = new Error('QMP connection closed');
      this.greeting?.reject(error);
      for (const pending of this.queue.splice(0)) pending.reject(error);
      this.emit('close');
    });
  }

  /** Waits for the greeting and leaves capabilities negotiation. */
  async negotiate(): Promise<void> {
    await new Promise((resolve, reject) => (this.greeting = { resolve, reject }));
    await this.execute('qmp_capabilities');
  }

  execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('QMP connection closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject });
      this.socket.write(
        `${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`,
      );
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line) this.dispatch(line);
    }
  }

  private dispatch(line: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if ('QMP' in message) {
      this.greeting?.resolve(undefined);
      this.greeting = undefined;
    } else if (typeof message.event === 'string') {
      this.emit('event', message as unknown as QmpEvent);
    } else if ('return' in message) {
      this.queue.shift()?.resolve(message.return);
    } else if ('error' in message) {
      const error = message.error as { class?: string; desc?: string };
      this.queue.shift()?.reject(new Error(`QMP: ${error.desc ?? error.class ?? 'error'}`));
    }
  }
}
