import { inspectUserData, parseMarker } from '../../protocol/user-data';
import type { LaunchPlan } from '../boot/launch-plan';
import type { InstanceTypeInfo } from '../catalogue/instance-types';
import type { Ec2Context } from './context';
import type { ImageRecord, InstanceRecord } from './records';

/**
 * RunInstances of a VM image: no plan, only `pending` now. What follows is appended as QEMU gets there
 * (src/sandbox/vm/vm-instance.ts); scenarios and launch timelines do not apply — the script decides.
 */
export function vmLaunchPlan(now: number, userData: Buffer): LaunchPlan {
  let nonce: string | undefined;
  try {
    nonce = inspectUserData(userData).wrapper?.nonce;
  } catch {
    nonce = undefined;
  }
  return {
    transitions: [{ at: now, state: 'pending' }],
    console: [],
    script: { wrapped: nonce !== undefined, ...(nonce ? { nonce } : {}), doneAt: null, exitCode: null },
  };
}

/** Hands a launched instance to the VM host, which boots it as soon as a VM slot is free. */
export function launchVm(
  ctx: Ec2Context,
  instance: InstanceRecord,
  image: ImageRecord,
  type: InstanceTypeInfo,
  rootVolumeGiB: number,
): void {
  if (!ctx.vm || !image.vm) throw new Error(`${image.imageId} is not a VM image of this Sandbox`);
  instance.vm = ctx.vm.launch(instance, {
    parent: image.vm.root,
    boot: image.vm.boot,
    volumeGiB: rootVolumeGiB,
    memoryMiB: ctx.vm.memoryFor(type.memoryMiB),
    vpcCidr: ctx.region.network.cidr,
    accountId: ctx.accountId,
  });
}

/** Whether a VM's console shows the wrapper's done marker (the last one, if a script printed its own). */
export function vmScriptFinished(instance: InstanceRecord): boolean {
  const nonce = instance.script.nonce;
  if (!instance.vm || !nonce) return false;
  const lines = instance.vm.console(true).toString('utf8').split('\n');
  return lines.some((line) => parseMarker(line, nonce)?.kind === 'done');
}
