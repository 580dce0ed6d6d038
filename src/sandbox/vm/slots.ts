/**
 * At most `size` VMs at once; the rest wait in launch order (their instances stay `pending`, as EC2's do
 * while capacity is found). A waiter whose signal aborts (terminated while waiting) leaves the queue.
 */
export class Slots {
  private used = 0;
  private readonly waiting: { grant: () => void; signal: AbortSignal }[] = [];

  constructor(readonly size: number) {}

  get busy(): number {
    return this.used;
  }

  get queued(): number {
    return this.waiting.length;
  }

  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        this.used++;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.used--;
          this.next();
        });
      };
      const entry = { grant, signal };
      const onAbort = () => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
      this.next();
    });
  }

  private next(): void {
    while (this.used < this.size && this.waiting.length > 0) this.waiting.shift()!.grant();
  }
}
