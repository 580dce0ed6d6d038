import type { FaultKind, FaultSpec } from './scenario';

/** Injected failures, each for the next N calls of an action (or of any action, with `*`). */
export class FaultBook {
  private faults: { action: string; fault: FaultKind; remaining: number }[] = [];

  inject(spec: FaultSpec): void {
    this.faults.push({ action: spec.action, fault: spec.fault, remaining: spec.count ?? 1 });
  }

  /** Consumes and returns the first fault due for this call, if any. */
  take(action: string): FaultKind | undefined {
    const due = this.faults.find((f) => f.remaining > 0 && (f.action === action || f.action === '*'));
    if (!due) return undefined;
    due.remaining--;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return due.fault;
  }

  pending(): FaultSpec[] {
    return this.faults.map((f) => ({ action: f.action, fault: f.fault, count: f.remaining }));
  }

  clear(): void {
    this.faults = [];
  }
}
