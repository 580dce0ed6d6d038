import { ConsoleWriter, printKernelBoot, printShutdown, type MachineFacts } from '../boot/console-lines';
import { consoleRefreshAt } from '../catalogue/instance-types';
import type { InstanceRecord, InstanceStateName, StateReason, Transition } from './records';

/**
 * Instance states are a timeline of transitions planned ahead (pending at launch, running after
 * pendingMs, stopping when the script powers off…) and read at `now`: nothing ticks inside the sandbox,
 * which is what lets a VirtualClock run a 20-minute bake in a second. An API call that changes course
 * (stop, terminate, a reboot) drops the planned future and plans anew from `now`.
 */
export const USER_SHUTDOWN: StateReason = {
  code: 'Client.UserInitiatedShutdown',
  message: 'Client.UserInitiatedShutdown: User initiated shutdown',
};
export const INSTANCE_SHUTDOWN: StateReason = {
  code: 'Client.InstanceInitiatedShutdown',
  message: 'Client.InstanceInitiatedShutdown: Instance initiated shutdown',
};
export const PENDING_REASON: StateReason = { code: 'pending', message: 'pending' };

export function transitionAt(instance: InstanceRecord, now: number): Transition {
  let current = instance.transitions[0]!;
  for (const t of instance.transitions) {
    if (t.at > now) break;
    current = t;
  }
  return current;
}

export function stateAt(instance: InstanceRecord, now: number): InstanceStateName {
  return transitionAt(instance, now).state;
}

/** When the instance became (or will become) terminated, if it is on that path. */
export function terminatedAt(instance: InstanceRecord): number | undefined {
  return instance.transitions.find((t) => t.state === 'terminated')?.at;
}

export function userInitiated(now: number): string {
  return `User initiated (${new Date(now).toISOString().slice(0, 19).replace('T', ' ')} GMT)`;
}

export function machineFacts(instance: InstanceRecord): MachineFacts {
  return {
    instanceId: instance.instanceId,
    distro: instance.distro,
    architecture: instance.architecture,
    privateIp: instance.privateIp,
    region: instance.region,
  };
}

/** Forgets everything planned after `now`: console lines not yet printed, transitions, an unfinished script. */
function dropFuture(instance: InstanceRecord, now: number): void {
  instance.transitions = instance.transitions.filter((t) => t.at <= now);
  instance.console = instance.console.filter((l) => l.at <= now);
  instance.consoleRefreshes = instance.consoleRefreshes.filter((at) => at <= now);
  if (instance.script.doneAt !== null && instance.script.doneAt > now) {
    instance.script = { ...instance.script, doneAt: null, exitCode: null };
  }
}

function bootStartOf(instance: InstanceRecord, now: number): number {
  const running = instance.transitions.filter((t) => t.state === 'running' && t.at <= now).at(-1);
  return running?.at ?? now;
}

function push(instance: InstanceRecord, transition: Transition): void {
  instance.transitions.push(transition);
  instance.consoleRefreshes.push(consoleRefreshAt(instance.instanceType, transition.at));
}

export function planStop(
  instance: InstanceRecord,
  now: number,
  reason: StateReason,
  transitionReason: string,
): void {
  dropFuture(instance, now);
  const out = new ConsoleWriter(instance.console, bootStartOf(instance, now));
  printShutdown(out, now, instance.timing.stoppingMs, 'poweroff');
  push(instance, { at: now, state: 'stopping', reason, transitionReason });
  push(instance, { at: now + instance.timing.stoppingMs, state: 'stopped', reason, transitionReason });
}

export function planTerminate(
  instance: InstanceRecord,
  now: number,
  reason: StateReason,
  transitionReason: string,
): void {
  const wasUp = ['pending', 'running'].includes(stateAt(instance, now));
  dropFuture(instance, now);
  if (wasUp)
    printShutdown(
      new ConsoleWriter(instance.console, bootStartOf(instance, now)),
      now,
      instance.timing.shuttingDownMs,
      'poweroff',
    );
  push(instance, { at: now, state: 'shutting-down', reason, transitionReason });
  push(instance, { at: now + instance.timing.shuttingDownMs, state: 'terminated', reason, transitionReason });
}

/** StartInstances on a stopped instance: boots again; cloud-init does not run the user data twice. */
export function planStart(instance: InstanceRecord, now: number, bootMs: number): void {
  dropFuture(instance, now);
  const runningAt = now + instance.timing.pendingMs;
  push(instance, { at: now, state: 'pending', reason: PENDING_REASON, transitionReason: '' });
  push(instance, { at: runningAt, state: 'running', transitionReason: '' });
  printKernelBoot(new ConsoleWriter(instance.console, runningAt), machineFacts(instance), bootMs);
}

/** CreateImage without NoReboot reboots a running instance: whatever the script was doing is cut short. */
export function planReboot(instance: InstanceRecord, now: number, rebootMs: number, bootMs: number): void {
  dropFuture(instance, now);
  printShutdown(new ConsoleWriter(instance.console, bootStartOf(instance, now)), now, rebootMs, 'reboot');
  const bootAt = now + rebootMs;
  printKernelBoot(new ConsoleWriter(instance.console, bootAt), machineFacts(instance), bootMs);
  instance.consoleRefreshes.push(
    consoleRefreshAt(instance.instanceType, now),
    consoleRefreshAt(instance.instanceType, bootAt),
  );
}
