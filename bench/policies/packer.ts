import {
  createImage,
  imageAvailableCheck,
  INSTANCE_RUNNING,
  INSTANCE_STOPPED,
  INSTANCE_TERMINATED,
  instanceCheck,
  runInstance,
  stopInstance,
  terminateInstance,
} from './ec2-steps';
import { referenceBuilder } from './builder-kit';
import type { Policy } from './types';
import { sdkWaiter, type SdkWaiterOptions } from './waiters';

/** aws-sdk-go-v2 EC2 waiters' defaults (MinDelay 15 s, MaxDelay 120 s), which Packer keeps for instances. */
const GO_WAITER = { minDelay: 15, maxDelay: 120 } as const;
/** packer-plugin-sdk communicator/step_connect_ssh.go: `time.After(5 * time.Second)` between SSH attempts. */
const SSH_RETRY_MS = 5_000;

/**
 * Packer's amazon-ebs builder as hashicorp/packer-plugin-amazon sets its polling (builder/common/state.go,
 * aws-sdk-go-v2 version):
 * - RunInstances, then `WaitUntilInstanceRunning`: the SDK's InstanceRunning waiter on its defaults
 *   (15 s → 120 s with jitter; AwsDefaultMaxWaitTimeDuration 10 min);
 * - the SSH communicator: a try at once, then every 5 s, until sshd answers — modelled as answering once
 *   cloud-init has booted the machine;
 * - no provisioners: Packer does not wait for user data, so "its own provisioning via user data" is not
 *   awaited at all (with shell provisioners Packer would run them over SSH and wait for those instead);
 * - StopInstances and the InstanceStopped waiter (builder/common/step_stop_ebs_instance.go; with
 *   aws-sdk-go-v2, as in state.go, the waiter's 15 s → 120 s; the older aws-sdk-go v1 plugin polled every 15 s);
 * - CreateImage and `WaitUntilAMIAvailable`: ImageAvailable waiter with `o.MinDelay = 5 * time.Second`
 *   ("Set a default 5-second delay"), MaxDelay left at 120 s, MaxWaitTime 30 min;
 * - cleanup: TerminateInstances and `WaitUntilInstanceTerminated` (SDK defaults) before the build returns.
 * Only these instance and image calls are modelled; Packer's temporary key pair, security group, source AMI
 * lookups and tagging calls are left out, so its call counts here are a lower bound.
 */
export const packer: Policy = {
  id: 'packer',
  label: 'Packer amazon-ebs',
  summary:
    'SDK waiters (15→120 s) for running/stopped/terminated, AMI waiter from 5 s; user data not awaited',
  powersOff: false,
  // Its image depends on boot (SSH), the stop it asks for and the snapshot; terminating is its own choice.
  awsPathMs: (t, timings) => t.runningAfterMs + timings.bootMs + t.stoppingMs + t.imageMs,
  async open({ world, region, rng }) {
    const ec2 = world.ec2Client(region);
    const clock = world.clock;
    const builder = await referenceBuilder(ec2, 'bench-packer');
    const wait = (what: string, minDelay: number, maxWaitTime: number): SdkWaiterOptions => ({
      clock,
      rng,
      minDelay,
      maxDelay: GO_WAITER.maxDelay,
      maxWaitTime,
      what,
    });
    return {
      async bake({ index, timeline }) {
        const launchedAt = clock.now();
        const instanceId = await runInstance(ec2, builder);
        await sdkWaiter(
          wait('InstanceRunning', GO_WAITER.minDelay, 600),
          instanceCheck(ec2, instanceId, INSTANCE_RUNNING),
        );
        const sshAnswersAt = launchedAt + timeline.runningAfterMs + world.timings.bootMs;
        while (clock.now() < sshAnswersAt) await clock.sleep(SSH_RETRY_MS);
        await stopInstance(ec2, instanceId);
        await sdkWaiter(
          wait('InstanceStopped', GO_WAITER.minDelay, 600),
          instanceCheck(ec2, instanceId, INSTANCE_STOPPED),
        );
        const imageId = await createImage(ec2, instanceId, `packer-${index}`, false);
        await sdkWaiter(wait('ImageAvailable', 5, 1800), imageAvailableCheck(ec2, imageId));
        await terminateInstance(ec2, instanceId);
        await sdkWaiter(
          wait('InstanceTerminated', GO_WAITER.minDelay, 600),
          instanceCheck(ec2, instanceId, INSTANCE_TERMINATED),
        );
        return { ok: true, imageId };
      },
      close: () => Promise.resolve(),
    };
  },
};
