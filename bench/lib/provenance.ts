import { execFileSync } from 'node:child_process';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';

/** What produced a set of figures: every result file and table carries one. */
export interface Provenance {
  command: string;
  date: string;
  node: string;
  os: string;
  cpu: { model: string; count: number; mhz: number };
  memoryGb: number;
  /** 1, 5 and 15 minute load averages when the run started: a busy machine stretches real times. */
  loadAverage: number[];
  git: { commit: string | null; dirty: boolean | null };
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function provenance(command: string): Provenance {
  const list = cpus();
  const status = git(['status', '--porcelain']);
  return {
    command,
    date: new Date().toISOString(),
    node: process.version,
    os: `${platform()} ${release()}`,
    cpu: { model: list[0]?.model.trim() ?? 'unknown', count: list.length, mhz: list[0]?.speed ?? 0 },
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    git: { commit: git(['rev-parse', '--short', 'HEAD']), dirty: status === null ? null : status.length > 0 },
  };
}
