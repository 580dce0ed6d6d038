/**
 * Bytes of request bodies being read at once, in all and per address. A body is read only for a request
 * that must be checked against it (a GitHub signature) or that already passed (a valid token), and only
 * when its size fits what is left; otherwise it is answered 503 before a byte of it is read. With this,
 * not the number of connections, memory for bodies has a ceiling.
 */
export class BodyBudget {
  private used = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly total: number,
    private readonly perAddressLimit: number,
  ) {}

  /** Reserves `bytes` for `key`; returns the release, or undefined when it does not fit now. */
  take(key: string, bytes: number): (() => void) | undefined {
    const mine = this.perAddress.get(key) ?? 0;
    if (this.used + bytes > this.total || mine + bytes > this.perAddressLimit) return undefined;
    this.used += bytes;
    this.perAddress.set(key, mine + bytes);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= bytes;
      const left = (this.perAddress.get(key) ?? bytes) - bytes;
      if (left > 0) this.perAddress.set(key, left);
      else this.perAddress.delete(key);
    };
  }
}
