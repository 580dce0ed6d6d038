import {
  beginMarker,
  doneMarker,
  inspectUserData,
  POWEROFF_ON_FAILURE_SINCE,
  type UserDataInfo,
} from '../../protocol/user-data';
import type { ScriptOutcome } from '../scenario';
import type { SandboxTimings } from '../timings';
import {
  ConsoleWriter,
  printCloudInitFinished,
  printCloudInitStart,
  printKernelBoot,
  printShutdown,
  type ConsoleLine,
  type MachineFacts,
} from './console-lines';
import { cloudConfigSteps, schedule, shellSteps, type ScriptRun } from './script-sim';

export interface LaunchPlanInput extends Pick<
  SandboxTimings,
  'pendingMs' | 'bootMs' | 'scriptDefaultMs' | 'shutdownDelayMs' | 'stoppingMs' | 'shuttingDownMs'
> {
  at: number;
  machine: MachineFacts;
  userData: Buffer;
  shutdownBehavior: 'stop' | 'terminate';
  /** Overrides from the scenario or the launch timeline; unset means the script decides. */
  outcome?: ScriptOutcome;
  scriptMs?: number;
}

export interface PlannedTransition {
  at: number;
  state: 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
  instanceInitiated?: boolean;
}

export interface LaunchPlan {
  transitions: PlannedTransition[];
  console: ConsoleLine[];
  script: { wrapped: boolean; nonce?: string; doneAt: number | null; exitCode: number | null };
}

/**
 * Everything a fresh instance will do, planned at launch: boot, cloud-init, the wrapped script between
 * its begin and done markers, and the wrapper's poweroff (an instance-initiated shutdown, which stops or
 * terminates per InstanceInitiatedShutdownBehavior) — after any exit for a version 2 wrapper, after exit 0
 * only for version 1. A script that powers the machine off itself goes down there, without a done marker.
 * Unwrapped user data just boots and the instance keeps running.
 */
export function planLaunch(input: LaunchPlanInput): LaunchPlan {
  const runningAt = input.at + input.pendingMs;
  const console: ConsoleLine[] = [];
  const out = new ConsoleWriter(console, runningAt);
  printKernelBoot(out, input.machine, input.bootMs);
  printCloudInitStart(out, input.machine, input.bootMs, input.at);
  const transitions: PlannedTransition[] = [
    { at: input.at, state: 'pending' },
    { at: runningAt, state: 'running' },
  ];
  const info = readUserData(input.userData);
  const scriptStart = runningAt + input.bootMs;
  if (!info.wrapper) {
    printCloudInitFinished(out, input.machine, scriptStart);
    return { transitions, console, script: { wrapped: false, doneAt: scriptStart, exitCode: null } };
  }
  const { nonce, mode, env } = info.wrapper;
  const steps =
    mode === 'cloud-init'
      ? cloudConfigSteps(info.cloudConfig ?? '', env, input.machine.distro)
      : shellSteps(info.wrapper.userScript ?? '', env, input.machine.distro);
  const run = applyOverrides(schedule(steps, input.scriptDefaultMs), input);
  // In cloud-init mode the wrapper waits for cloud-init, so the markers follow the cloud-config's output.
  const markerAt = mode === 'cloud-init' ? scriptStart + run.durationMs : scriptStart;
  if (mode === 'cloud-init')
    for (const line of run.lines) out.cloudInit(scriptStart + line.offsetMs, line.text);
  out.cloudInit(markerAt, beginMarker(nonce));
  if (mode === 'script') for (const line of run.lines) out.cloudInit(scriptStart + line.offsetMs, line.text);
  const unfinished = { transitions, console, script: { wrapped: true, nonce, doneAt: null, exitCode: null } };
  if (run.poweroffAtMs !== undefined) {
    powerOff(out, transitions, input, scriptStart + run.poweroffAtMs);
    return unfinished;
  }
  if (run.exitCode === null) return unfinished;
  const doneAt = scriptStart + run.durationMs;
  out.cloudInit(doneAt, doneMarker(nonce, run.exitCode));
  printCloudInitFinished(out, input.machine, doneAt);
  const script = { wrapped: true, nonce, doneAt, exitCode: run.exitCode };
  const staysUp =
    (typeof input.outcome === 'object' && input.outcome.poweroff === false) ||
    (run.exitCode !== 0 && info.wrapper.version < POWEROFF_ON_FAILURE_SINCE);
  if (staysUp) return { transitions, console, script };
  powerOff(out, transitions, input, doneAt + input.shutdownDelayMs);
  return { transitions, console, script };
}

function powerOff(
  out: ConsoleWriter,
  transitions: PlannedTransition[],
  input: LaunchPlanInput,
  offAt: number,
): void {
  const terminate = input.shutdownBehavior === 'terminate';
  const downMs = terminate ? input.shuttingDownMs : input.stoppingMs;
  printShutdown(out, offAt, downMs, 'poweroff');
  transitions.push(
    { at: offAt, state: terminate ? 'shutting-down' : 'stopping', instanceInitiated: true },
    { at: offAt + downMs, state: terminate ? 'terminated' : 'stopped', instanceInitiated: true },
  );
}

function readUserData(bytes: Buffer): UserDataInfo {
  try {
    return inspectUserData(bytes);
  } catch {
    // Not gzip after all (or corrupt): cloud-init would ignore it, and so does the sandbox.
    return { gzipped: false, text: '', kind: 'other', wrapper: null };
  }
}

type PlannedRun = Omit<ScriptRun, 'exitCode'> & { exitCode: number | null };

/** A scenario's script duration stretches the run; its outcome replaces the script's own exit. */
function applyOverrides(run: ScriptRun, input: LaunchPlanInput): PlannedRun {
  let planned: PlannedRun = run;
  if (input.scriptMs !== undefined) {
    const scale = run.durationMs > 0 ? input.scriptMs / run.durationMs : 0;
    planned = {
      lines: run.lines.map((l) => ({ ...l, offsetMs: Math.round(l.offsetMs * scale) })),
      durationMs: input.scriptMs,
      exitCode: run.exitCode,
      ...(run.poweroffAtMs !== undefined ? { poweroffAtMs: input.scriptMs } : {}),
    };
  }
  // An outcome set from outside decides how the script ends, a poweroff of its own included.
  const { poweroffAtMs: _own, ...ended } = planned;
  if (input.outcome === 'hang') return { ...ended, exitCode: null };
  if (input.outcome === 'succeed') return { ...ended, exitCode: 0 };
  if (input.outcome) return { ...ended, exitCode: input.outcome.exitCode };
  return planned;
}
