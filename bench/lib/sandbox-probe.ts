import type { CallRecord, Simulator } from '../../src/sandbox';

/** The Sandbox keeps its last 10,000 calls; draining well before that loses none. */
const DRAIN_EVERY = 2_000;

/**
 * Watches a Sandbox from inside the benchmark process: keeps every call the Sandbox logs (its own log is
 * capped), and adds up the CPU time its request handling takes, so the engine's share of the process's
 * CPU can be told apart from the simulator's.
 */
export class SandboxProbe {
  readonly calls: CallRecord[] = [];
  private lastSeq = 0;
  private handled = 0;
  private cpuMicros = 0;

  constructor(private readonly sim: Simulator) {
    const handle = sim.handle.bind(sim);
    sim.handle = (request) => {
      const before = process.cpuUsage();
      try {
        return handle(request);
      } finally {
        const used = process.cpuUsage(before);
        this.cpuMicros += used.user + used.system;
        if (++this.handled % DRAIN_EVERY === 0) this.drain();
      }
    };
  }

  /** Every call so far, in order. */
  all(): CallRecord[] {
    this.drain();
    return this.calls;
  }

  get sandboxCpuMs(): number {
    return Math.round(this.cpuMicros / 1000);
  }

  private drain(): void {
    for (const call of this.sim.calls()) {
      if (call.seq <= this.lastSeq) continue;
      this.calls.push(call);
      this.lastSeq = call.seq;
    }
  }
}
