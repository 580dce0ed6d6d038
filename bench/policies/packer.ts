import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { BENCH_BASE_NAME, referenceBuilder } from './builder-kit';
import {
  createImage,
  describeInstance,
  imageAvailableCheck,
  INSTANCE_RUNNING,
  INSTANCE_STOPPED,
  INSTANCE_TERMINATED,
  instanceCheck,
  runInstance,
  stopInstance,
  terminateInstance,
} from './ec2-steps';
import type { Policy } from './types';
import { constantDelay, goV2Delay, waitUntil, type DelayFormula, type WaiterOptions } from './waiters';

/** packer-plugin-sdk communicator/step_connect_ssh.go: a try at once, then `time.After(5 * time.Second)`. */
const SSH_RETRY_MS = 5_000;
/** common/state.go `AwsDefaultMaxWaitTimeDuration` (10 min) for instances; 30 min for the AMI. */
const INSTANCE_MAX_WAIT_MS = 10 * 60_000;
const AMI_MAX_WAIT_MS = 30 * 60_000;

interface PackerSdk {
  id: string;
  label: string;
  summary: string;
  instanceDelay: DelayFormula;
  amiDelay: DelayFormula;
  /** Go v2's waiters stop when less than their minimum delay is left. */
  instanceMinRemainingMs?: number;
  amiMinRemainingMs?: number;
}

/**
 * Packer's amazon-ebs builder as people run it (hashicorp/packer-plugin-amazon), with the init script as a
 * shell provisioner — Packer runs it over SSH and waits for it to exit (templates that put the script in
 * user data add `cloud-init status --wait` as a provisioner, which waits the same way):
 * - source AMI lookup (`source_ami_filter`, DescribeImages) and the AMI name check (DescribeImages);
 * - RunInstances, the InstanceRunning waiter, one DescribeInstances for the instance's address;
 * - the SSH communicator: a try at once, then every 5 s until sshd answers (once cloud-init has booted);
 * - the shell provisioner: the script runs from the moment SSH connects, and Packer waits for it;
 * - StopInstances and the InstanceStopped waiter (common/step_stop_ebs_instance.go);
 * - CreateImage and `WaitUntilAMIAvailable` (common/state.go), one DescribeImages for its snapshots;
 * - cleanup: TerminateInstances and `WaitUntilInstanceTerminated` before the build returns.
 * Its temporary key pair and security group (create and delete) and tagging calls are not modelled, so its
 * call counts here are a lower bound.
 */
function packer(sdk: PackerSdk): Policy {
  return {
    id: sdk.id,
    label: sdk.label,
    group: 'anchor',
    summary: sdk.summary,
    prematureReason: 'never: the shell provisioner runs the script over SSH and Packer waits for it to exit',
    // The Sandbox times the script from the user data; Packer's copy runs over SSH (see bake()).
    script: { exitCode: 0, poweroff: false },
    awsPathMs: (t, timings) => t.runningAfterMs + timings.bootMs + t.scriptMs + t.stoppingMs + t.imageMs,
    async open({ world, region, rng }) {
      const ec2 = world.ec2Client(region);
      const clock = world.clock;
      const builder = await referenceBuilder(ec2, 'bench-packer');
      const wait = (
        what: string,
        delay: DelayFormula,
        maxWaitMs: number,
        minRemainingMs = 0,
      ): WaiterOptions => ({
        clock,
        rng,
        delay,
        maxWaitMs,
        minRemainingMs,
        what,
      });
      const instanceWait = (what: string) =>
        wait(what, sdk.instanceDelay, INSTANCE_MAX_WAIT_MS, sdk.instanceMinRemainingMs);
      return {
        async bake({ index, timeline }) {
          const name = `packer-${index}`;
          await ec2.send(
            new DescribeImagesCommand({
              Owners: ['amazon'],
              Filters: [{ Name: 'name', Values: [BENCH_BASE_NAME] }],
            }),
          );
          await ec2.send(
            new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] }),
          );
          const launchedAt = clock.now();
          const instanceId = await runInstance(ec2, builder);
          await waitUntil(instanceWait('InstanceRunning'), instanceCheck(ec2, instanceId, INSTANCE_RUNNING));
          await describeInstance(ec2, instanceId);
          // sshd answers once cloud-init has booted the machine; until then each try fails and waits 5 s.
          const sshAnswersAt = launchedAt + timeline.runningAfterMs + world.timings.bootMs;
          while (clock.now() < sshAnswersAt) await clock.sleep(SSH_RETRY_MS);
          // The provisioner's script runs from now; the Sandbox's copy (user data, from boot) is done by then.
          await clock.sleep(timeline.scriptMs);
          await stopInstance(ec2, instanceId);
          await waitUntil(instanceWait('InstanceStopped'), instanceCheck(ec2, instanceId, INSTANCE_STOPPED));
          const imageId = await createImage(ec2, instanceId, name, false);
          await waitUntil(
            wait('ImageAvailable', sdk.amiDelay, AMI_MAX_WAIT_MS, sdk.amiMinRemainingMs),
            imageAvailableCheck(ec2, imageId),
          );
          const seenAt = clock.now();
          await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
          await terminateInstance(ec2, instanceId);
          await waitUntil(
            instanceWait('InstanceTerminated'),
            instanceCheck(ec2, instanceId, INSTANCE_TERMINATED),
          );
          return { ok: true, imageId, seenAt };
        },
        close: () => Promise.resolve(),
      };
    },
  };
}

/**
 * Today's plugin (aws-sdk-go-v2): the generated waiters with their defaults, 15 s → 120 s, and the AMI
 * waiter's `o.MinDelay = 5 * time.Second` ("Set a default 5-second delay"), all through smithy-go's
 * ComputeDelay (goV2Delay).
 */
export const packerV2 = packer({
  id: 'packer-v2',
  label: 'Packer amazon-ebs (aws-sdk-go-v2)',
  summary:
    'shell provisioner waits for the script; SSH retried every 5 s; Go v2 waiters: instances 15→120 s, AMI 5→120 s (ComputeDelay, jittered); waits for termination',
  instanceDelay: goV2Delay(15_000, 120_000),
  amiDelay: goV2Delay(5_000, 120_000),
  instanceMinRemainingMs: 15_000,
  amiMinRemainingMs: 5_000,
});

/** Plugin versions on aws-sdk-go v1: every waiter polls at a constant 15 s (the SDK's ConstantWaiterDelay). */
export const packerV1 = packer({
  id: 'packer-v1',
  label: 'Packer amazon-ebs (aws-sdk-go v1)',
  summary:
    'shell provisioner waits for the script; SSH retried every 5 s; Go v1 waiters: every 15 s for instances and the AMI; waits for termination',
  instanceDelay: constantDelay(15_000),
  amiDelay: constantDelay(15_000),
});
