import { createHash, randomBytes } from 'node:crypto';

/**
 * Deterministic identifiers: the n-th id of a kind is a hash of (seed, kind, n), so the same seed and the
 * same sequence of launches give the same ids whatever else (describes, retries) happened in between.
 */
export class IdGenerator {
  private readonly counters = new Map<string, number>();

  constructor(readonly seed: string) {}

  static randomSeed(): string {
    return randomBytes(8).toString('hex');
  }

  /** 64 hex characters for the next item of `kind`. */
  nextHex(kind: string): string {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return createHash('sha256').update(`${this.seed}\0${kind}\0${n}`).digest('hex');
  }

  /** EC2-style id: `i-0123456789abcdef0` (17 hex characters after the prefix). */
  next(prefix: string): string {
    return `${prefix}-${this.nextHex(prefix).slice(0, 17)}`;
  }

  requestId(): string {
    const h = this.nextHex('request');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** An uppercase alphanumeric token (access keys, STS ids). */
  token(kind: string, length: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const bytes = Buffer.from(this.nextHex(kind) + this.nextHex(kind), 'hex');
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[bytes[i % bytes.length]! % alphabet.length];
    return out;
  }

  reset(): void {
    this.counters.clear();
  }
}

/** A stable id for a catalogue item (base images, default VPC…): the same in every sandbox, whatever the seed. */
export function stableId(prefix: string, ...parts: string[]): string {
  return `${prefix}-${createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 17)}`;
}
