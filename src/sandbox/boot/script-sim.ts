import { parse as parseYaml } from 'yaml';
import type { Distro } from '../catalogue/base-images';
import { splitStatements, splitWords, type Word } from './shell-words';

/**
 * Simulates a user's init script without executing anything. Each top-level `echo` prints its text
 * (with `$VARS` from the environment and earlier assignments), `sleep N` adds N seconds, `exit N` ends
 * the script with code N, `poweroff` (or `shutdown -h`, `halt`, `systemctl poweroff`…) takes the machine
 * down then and there, `reboot` (`shutdown -r`, `systemctl reboot`, `init 6`…) restarts it; every other command (or whole if/for/while block) is "work": it prints what such a
 * command plausibly prints and the work shares the default script duration.
 */
export type ScriptStep =
  | { kind: 'print'; text: string }
  | { kind: 'sleep'; ms: number }
  | { kind: 'work'; output: string[] }
  | { kind: 'exit'; code: number }
  | { kind: 'poweroff' }
  | { kind: 'reboot' };

export interface ScriptRun {
  /** Output lines, with their offset from the start of the script. */
  lines: { offsetMs: number; text: string }[];
  durationMs: number;
  exitCode: number;
  /** The script powered the machine off itself, this long after it started: it never finished. */
  poweroffAtMs?: number;
  /** The script rebooted the machine this long after it started: it never finished either. */
  rebootAtMs?: number;
}

const OPENERS = new Set(['if', 'for', 'while', 'until', 'case', 'select']);
const CLOSERS = new Set(['fi', 'done', 'esac', '}']);
const SILENT = new Set([
  'set',
  'cd',
  'umask',
  'true',
  ':',
  'trap',
  'shopt',
  'source',
  '.',
  'readonly',
  'unset',
  'local',
]);
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

export function shellSteps(script: string, env: Record<string, string>, distro: Distro): ScriptStep[] {
  const vars = { ...env };
  const steps: ScriptStep[] = [];
  const lines = script.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  let depth = 0;
  for (let n = 0; n < lines.length; n++) {
    const heredoc = /<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?/.exec(lines[n]!);
    if (heredoc) {
      const end = lines.findIndex((l, i) => i > n && l.trim() === heredoc[1]);
      n = end < 0 ? lines.length : end;
      if (depth === 0) steps.push({ kind: 'work', output: [] });
      continue;
    }
    for (const statement of splitStatements(lines[n]!)) {
      const words = splitWords(statement, vars);
      const first = words[0]?.text ?? '';
      if (OPENERS.has(first) || /(?:^|\s)\{$/.test(statement) || /\)\s*\{?$/.test(first)) {
        if (depth === 0) steps.push({ kind: 'work', output: [] });
        depth++;
        continue;
      }
      if (CLOSERS.has(first)) {
        depth = Math.max(0, depth - 1);
        continue;
      }
      if (depth > 0) continue;
      const step = topLevelStep(words, vars, distro);
      if (step) steps.push(step);
      if (step?.kind === 'exit' || step?.kind === 'poweroff' || step?.kind === 'reboot') return steps;
    }
  }
  return steps;
}

function topLevelStep(words: Word[], vars: Record<string, string>, distro: Distro): ScriptStep | null {
  const [first, ...args] = words;
  if (!first) return null;
  const assignment = ASSIGNMENT.exec(first.text);
  if (assignment && words.length === 1) {
    vars[assignment[1]!] = assignment[2]!;
    return null;
  }
  if (first.text === 'export') {
    for (const arg of args) {
      const a = ASSIGNMENT.exec(arg.text);
      if (a) vars[a[1]!] = a[2]!;
    }
    return null;
  }
  if (SILENT.has(first.text)) return null;
  const piped = words.some((w) => !w.quoted && w.text === '|');
  if (first.text === 'echo' && !piped) {
    const toFile = args.some((w) => !w.quoted && /^(?:1?>>?)(?!&)/.test(w.text));
    if (toFile) return null;
    const text = args.filter(
      (w, i) => !(i === 0 && /^-[neE]+$/.test(w.text)) && !(!w.quoted && /^[12]?>&[12]$/.test(w.text)),
    );
    return { kind: 'print', text: text.map((w) => w.text).join(' ') };
  }
  if (first.text === 'sleep') return { kind: 'sleep', ms: parseSleep(args[0]?.text ?? '') };
  const command = words.map((w) => w.text).filter((w) => w !== 'sudo');
  if (powersOff(command)) return { kind: 'poweroff' };
  if (reboots(command)) return { kind: 'reboot' };
  if (first.text === 'exit') {
    const code = Number(args[0]?.text ?? '0');
    return { kind: 'exit', code: Number.isInteger(code) ? code & 255 : 0 };
  }
  return {
    kind: 'work',
    output: plausibleOutput(
      words.map((w) => w.text),
      distro,
    ),
  };
}

/** The ways a script takes the machine down for good (a reboot is not one of them). */
function powersOff([command, ...args]: string[]): boolean {
  if (command === 'poweroff' || command === 'halt') return true;
  if (command === 'shutdown') return !args.some((a) => /^-\w*r/.test(a) || a === '--reboot');
  if (command === 'systemctl') return args.includes('poweroff') || args.includes('halt');
  return (command === 'init' || command === 'telinit') && args[0] === '0';
}

function reboots([command, ...args]: string[]): boolean {
  if (command === 'reboot') return true;
  if (command === 'shutdown') return args.some((a) => /^-\w*r/.test(a) || a === '--reboot');
  if (command === 'systemctl') return args.includes('reboot');
  return (command === 'init' || command === 'telinit') && args[0] === '6';
}

function parseSleep(arg: string): number {
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(arg);
  if (!match) return 0;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Math.round(Number(match[1]) * unit * 1000);
}

function plausibleOutput(words: string[], distro: Distro): string[] {
  const command = words.find((w) => w !== 'sudo' && !ASSIGNMENT.test(w)) ?? '';
  const rest = words.slice(words.indexOf(command) + 1);
  const packages = rest.slice(rest.indexOf('install') + 1).filter((w) => !w.startsWith('-'));
  if ((command === 'dnf' || command === 'yum') && rest.includes('install')) return dnfInstall(packages);
  if ((command === 'apt-get' || command === 'apt') && rest.includes('install')) return aptInstall(packages);
  if ((command === 'apt-get' || command === 'apt') && rest.includes('update')) return aptUpdate(distro);
  if (command === 'systemctl' && rest.includes('enable')) {
    const unit = rest.filter((w) => !w.startsWith('-') && w !== 'enable').at(-1) ?? 'service';
    const name = unit.includes('.') ? unit : `${unit}.service`;
    return [
      `Created symlink /etc/systemd/system/multi-user.target.wants/${name} → /usr/lib/systemd/system/${name}.`,
    ];
  }
  return [];
}

function dnfInstall(packages: string[]): string[] {
  return [
    'Last metadata expiration check: 0:00:41 ago.',
    'Dependencies resolved.',
    ...packages.map((p) => `  Installing       : ${p}`),
    'Complete!',
  ];
}

function aptInstall(packages: string[]): string[] {
  return [
    'Reading package lists...',
    'Building dependency tree...',
    ...packages.map((p) => `Setting up ${p} ...`),
    'Processing triggers for man-db ...',
  ];
}

function aptUpdate(distro: Distro): string[] {
  const mirror =
    distro === 'ubuntu' ? 'http://archive.ubuntu.com/ubuntu noble' : 'http://deb.debian.org/debian bookworm';
  return [
    `Hit:1 ${mirror} InRelease`,
    `Get:2 ${mirror}-updates InRelease [126 kB]`,
    'Reading package lists...',
  ];
}

/** A #cloud-config: `package_update`, `packages` and `runcmd` entries (simulated like script lines). */
export function cloudConfigSteps(
  cloudConfig: string,
  env: Record<string, string>,
  distro: Distro,
): ScriptStep[] {
  let doc: unknown;
  try {
    doc = parseYaml(cloudConfig);
  } catch {
    return [{ kind: 'print', text: 'cloud-init: failed to parse #cloud-config; skipping it' }];
  }
  const config = (doc && typeof doc === 'object' ? doc : {}) as Record<string, unknown>;
  const steps: ScriptStep[] = [];
  if (config.package_update === true || config.package_upgrade === true) {
    steps.push({
      kind: 'work',
      output: distro === 'al2023' ? ['Dependencies resolved.', 'Nothing to do.'] : aptUpdate(distro),
    });
  }
  const packages = Array.isArray(config.packages)
    ? config.packages.map((p) => (Array.isArray(p) ? String(p[0]) : String(p)))
    : [];
  if (packages.length > 0)
    steps.push({ kind: 'work', output: distro === 'al2023' ? dnfInstall(packages) : aptInstall(packages) });
  const runcmd = Array.isArray(config.runcmd) ? config.runcmd : [];
  const script = runcmd
    .map((entry) =>
      Array.isArray(entry)
        ? entry.map((w) => `'${String(w).replace(/'/g, "'\\''")}'`).join(' ')
        : String(entry),
    )
    .join('\n');
  return [...steps, ...shellSteps(script, env, distro)];
}

/** Lays the steps out in time: work shares `workMs`, sleeps add their own time, prints cost nothing. */
export function schedule(steps: ScriptStep[], workMs: number): ScriptRun {
  const works = steps.filter((s) => s.kind === 'work').length;
  const perWork = works > 0 ? workMs / works : 0;
  const lines: ScriptRun['lines'] = [];
  let offset = 0;
  for (const step of steps) {
    if (step.kind === 'print') lines.push({ offsetMs: Math.round(offset), text: step.text });
    else if (step.kind === 'sleep') offset += step.ms;
    else if (step.kind === 'exit') return { lines, durationMs: Math.round(offset), exitCode: step.code };
    else if (step.kind === 'poweroff') {
      const at = Math.round(offset);
      return { lines, durationMs: at, exitCode: 0, poweroffAtMs: at };
    } else if (step.kind === 'reboot') {
      const at = Math.round(offset);
      return { lines, durationMs: at, exitCode: 0, rebootAtMs: at };
    } else {
      step.output.forEach((text, i) =>
        lines.push({ offsetMs: Math.round(offset + (perWork * (i + 1)) / (step.output.length + 1)), text }),
      );
      offset += perWork;
    }
  }
  return { lines, durationMs: Math.round(offset), exitCode: 0 };
}
