import {
  beginMarker,
  cleanedMarker,
  doneMarker,
  rebootedMarker,
  unresolvedMarker,
  warningMarker,
} from '../../protocol/markers';
import { maskLine, UNRESOLVED_EXIT_CODE, type WireReference } from '../../protocol/env-references';
import {
  CLEANED_MARKER_SINCE,
  inspectUserData,
  POWEROFF_ON_FAILURE_SINCE,
  type UserDataInfo,
} from '../../protocol/user-data';
import { cloudConfigWarnings } from './cloud-config-check';
import type { ScriptOutcome } from '../scenario';
import type { SandboxTimings } from '../timings';
import {
  cloudInitVersion,
  ConsoleWriter,
  printCloudInitFinished,
  printCloudInitStart,
  printKernelBoot,
  printShutdown,
  printWindowsBoot,
  type ConsoleLine,
  type MachineFacts,
} from './console-lines';
import type { Resolution } from './resolve-references';
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
  /** Resolves the wrapper's env references as its helper would with the instance's profile (no profile: unset). */
  resolve?: (refs: readonly WireReference[]) => Resolution;
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
 * terminates per InstanceInitiatedShutdownBehavior) — after any exit for a version 2+ wrapper, after exit
 * 0 only for version 1; a version 3 wrapper prints cloud-init's warnings before `done` and `cleaned` after
 * a success. A script that powers the machine off itself goes down there, without a done marker; one that
 * reboots it boots again (a version 3 wrapper's per-boot hook then reports it and powers off). Unwrapped
 * user data just boots and the instance keeps running; a Windows image runs no cloud-init at all.
 */
export function planLaunch(input: LaunchPlanInput): LaunchPlan {
  const runningAt = input.at + input.pendingMs;
  const console: ConsoleLine[] = [];
  const out = new ConsoleWriter(console, runningAt);
  const transitions: PlannedTransition[] = [
    { at: input.at, state: 'pending' },
    { at: runningAt, state: 'running' },
  ];
  if (input.machine.distro === 'windows') {
    printWindowsBoot(out, input.bootMs);
    return { transitions, console, script: { wrapped: false, doneAt: null, exitCode: null } };
  }
  printKernelBoot(out, input.machine, input.bootMs);
  printCloudInitStart(out, input.machine, input.bootMs, input.at);
  const info = readUserData(input.userData);
  const scriptStart = runningAt + input.bootMs;
  if (!info.wrapper) {
    printCloudInitFinished(out, input.machine, scriptStart);
    return { transitions, console, script: { wrapped: false, doneAt: scriptStart, exitCode: null } };
  }
  const { nonce, mode, version, refs } = info.wrapper;
  const resolution: Resolution | undefined =
    mode === 'script' && refs.length > 0
      ? (input.resolve?.(refs) ?? {
          ok: false,
          name: refs[0]!.name,
          reason: 'no-profile',
          message: 'the builder has no instance profile: instance metadata has no role credentials',
        })
      : undefined;
  if (resolution && !resolution.ok)
    return unresolved(out, transitions, input, scriptStart, nonce, resolution);
  const secrets = resolution?.ok ? Object.values(resolution.values) : [];
  const env = { ...info.wrapper.env, ...(resolution?.ok ? resolution.values : {}) };
  const steps =
    mode === 'cloud-init'
      ? cloudConfigSteps(info.cloudConfig ?? '', env, input.machine.distro)
      : shellSteps(info.wrapper.userScript ?? '', env, input.machine.distro);
  const warnings =
    mode === 'cloud-init'
      ? cloudConfigWarnings(info.cloudConfig ?? '', cloudInitVersion(input.machine.distro))
      : [];
  const run = applyOverrides(schedule(steps, input.scriptDefaultMs), input);
  out.cloudInit(scriptStart, beginMarker(nonce));
  // cloud-init logs its warnings on the console (stderr) as it meets them, in its own format.
  const stamp = new Date(scriptStart).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
  for (const w of warnings.filter((w) => w.level !== 'SCHEMA'))
    out.cloudInit(scriptStart, `${stamp} - schema.py[${w.level}]: ${w.message}`);
  // The wrapper masks every resolved value in the script's output before it reaches a console.
  for (const line of run.lines)
    out.cloudInit(scriptStart + line.offsetMs, secrets.length > 0 ? maskLine(line.text, secrets) : line.text);
  const unfinished = { transitions, console, script: { wrapped: true, nonce, doneAt: null, exitCode: null } };
  if (run.poweroffAtMs !== undefined) {
    powerOff(out, transitions, input, scriptStart + run.poweroffAtMs);
    return unfinished;
  }
  if (run.rebootAtMs !== undefined) {
    reboot(
      out,
      transitions,
      input,
      scriptStart + run.rebootAtMs,
      version >= CLEANED_MARKER_SINCE ? nonce : undefined,
    );
    return unfinished;
  }
  if (run.exitCode === null) return unfinished;
  const doneAt = scriptStart + run.durationMs;
  if (version >= CLEANED_MARKER_SINCE) {
    for (const w of warnings) out.cloudInit(doneAt, warningMarker(nonce, w.level, w.message));
    out.cloudInit(doneAt, doneMarker(nonce, run.exitCode, warnings.length));
  } else out.cloudInit(doneAt, doneMarker(nonce, run.exitCode));
  printCloudInitFinished(out, input.machine, doneAt);
  const script = { wrapped: true, nonce, doneAt, exitCode: run.exitCode };
  const staysUp =
    (typeof input.outcome === 'object' && input.outcome.poweroff === false) ||
    (run.exitCode !== 0 && version < POWEROFF_ON_FAILURE_SINCE);
  if (staysUp) return { transitions, console, script };
  if (run.exitCode === 0 && version >= CLEANED_MARKER_SINCE) {
    // After cloud-init's final stage: the copies of the user data removed, then the poweroff.
    const cleanedAt = doneAt + Math.round(input.shutdownDelayMs / 2);
    out.cloudInit(cleanedAt, cleanedMarker(nonce));
    out.cloudInit(cleanedAt, 'quadraxis: init script succeeded; powering off for imaging');
  }
  powerOff(out, transitions, input, doneAt + input.shutdownDelayMs);
  return { transitions, console, script };
}

/** The wrapper could not resolve a reference: it says which and why, never runs the script, powers off. */
function unresolved(
  out: ConsoleWriter,
  transitions: PlannedTransition[],
  input: LaunchPlanInput,
  at: number,
  nonce: string,
  failure: Extract<Resolution, { ok: false }>,
): LaunchPlan {
  out.cloudInit(at, beginMarker(nonce));
  out.cloudInit(at + 400, unresolvedMarker(nonce, failure.name, failure.reason, failure.message));
  const doneAt = at + 400;
  out.cloudInit(doneAt, doneMarker(nonce, UNRESOLVED_EXIT_CODE, 0));
  out.cloudInit(doneAt, `quadraxis: init script failed (exit ${UNRESOLVED_EXIT_CODE}); powering off`);
  printCloudInitFinished(out, input.machine, doneAt);
  powerOff(out, transitions, input, doneAt + input.shutdownDelayMs);
  return {
    transitions,
    console: out.lines,
    script: { wrapped: true, nonce, doneAt, exitCode: UNRESOLVED_EXIT_CODE },
  };
}

/**
 * The script rebooted the machine: a clean shutdown ending in a restart, the kernel and cloud-init
 * booting again (the script itself does not run again: user scripts run once per instance), and, when the
 * wrapper left its per-boot hook (version 3, `hookNonce`), the hook reporting it and powering off.
 */
function reboot(
  out: ConsoleWriter,
  transitions: PlannedTransition[],
  input: LaunchPlanInput,
  at: number,
  hookNonce: string | undefined,
): void {
  printShutdown(out, at, input.stoppingMs, 'reboot');
  const bootAt = at + input.stoppingMs;
  const again = new ConsoleWriter(out.lines, bootAt);
  printKernelBoot(again, input.machine, input.bootMs);
  printCloudInitStart(again, input.machine, input.bootMs, bootAt);
  if (hookNonce === undefined) return;
  const hookAt = bootAt + input.bootMs;
  again.cloudInit(hookAt, rebootedMarker(hookNonce));
  powerOff(again, transitions, input, hookAt + input.shutdownDelayMs);
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
      ...(run.rebootAtMs !== undefined ? { rebootAtMs: input.scriptMs } : {}),
    };
  }
  // An outcome set from outside decides how the script ends, a poweroff or reboot of its own included.
  const { poweroffAtMs: _own, rebootAtMs: _rebooted, ...ended } = planned;
  if (input.outcome === 'hang') return { ...ended, exitCode: null };
  if (input.outcome === 'succeed') return { ...ended, exitCode: 0 };
  if (input.outcome) return { ...ended, exitCode: input.outcome.exitCode };
  return planned;
}
