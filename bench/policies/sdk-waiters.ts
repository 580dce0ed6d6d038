import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { BENCH_BASE_PARAMETER, referenceBuilder } from './builder-kit';
import {
  createImage,
  imageAvailableCheck,
  INSTANCE_RUNNING,
  INSTANCE_STOPPED,
  instanceCheck,
  runInstance,
  terminateInstance,
} from './ec2-steps';
import { scriptPathMs, type Policy, type PolicyGroup } from './types';
import { sdkV3Delay, waitUntil, WaiterError, type WaiterOptions } from './waiters';

/** The SDK requires a maximum wait; an hour never cuts a benchmark bake short. */
const MAX_WAIT_MS = 3_600_000;
/**
 * …except for "running": a builder whose script is short can go running → stopping → stopped between two
 * polls, and the running waiter then waits for a state it will never see. Scripts give it what
 * `aws ec2 wait instance-running` gives it (40 × 15 s) and go on to wait for "stopped" when it gives up.
 */
const RUNNING_MAX_WAIT_MS = 600_000;

/**
 * One AWS SDK for JavaScript v3 waiter per step, given the best it can do: the same wrapped script as
 * Quadraxis, which powers the machine off after success, so `waitUntilInstanceStopped` does wait for the
 * script (without the wrapper a waiter has nothing to wait for and would image a half-configured machine, like
 * the 2015 design). Steps: GetParameter (the latest Amazon Linux 2023, as Quadraxis resolves it) →
 * RunInstances → waitUntilInstanceRunning → waitUntilInstanceStopped → CreateImage (NoReboot) →
 * waitUntilImageAvailable → TerminateInstances (not awaited, like Quadraxis). The delay formula is the SDK's
 * own (sdkV3Delay); every waiter starts over at its minimum. EC2's defaults are 15 s and 120 s
 * (`serviceDefaults` in @aws-sdk/client-ec2); tuned settings pass `minDelay`/`maxDelay` to each waiter.
 */
export function sdkWaiters(options: {
  minDelaySeconds: number;
  maxDelaySeconds: number;
  group: PolicyGroup;
}): Policy {
  const { minDelaySeconds: min, maxDelaySeconds: max } = options;
  const defaults = min === 15 && max === 120;
  return {
    id: `sdk-v3-${min}-${max}`,
    label: defaults ? 'SDK v3 waiters (defaults 15/120 s)' : `SDK v3 waiters tuned ${min}/${max} s`,
    group: options.group,
    summary: `waitUntilInstanceRunning → …Stopped (the wrapped script powers off) → CreateImage → waitUntilImageAvailable, minDelay ${min} s, maxDelay ${max} s`,
    prematureReason:
      'never: the wrapper powers the builder off after the script and the stopped waiter waits for that (a plain script would leave it running and the waiter would wait forever)',
    script: 'succeed',
    awsPathMs: (t, timings) => scriptPathMs(t, timings, true),
    async open({ world, region, rng }) {
      const ec2 = world.ec2Client(region);
      const ssm = new SSMClient(world.clientOptions(region));
      const builder = await referenceBuilder(ec2, 'bench-sdk-waiters');
      const wait = (what: string, maxWaitMs = MAX_WAIT_MS): WaiterOptions => ({
        clock: world.clock,
        rng,
        delay: sdkV3Delay(min * 1000, max * 1000),
        maxWaitMs,
        what,
      });
      return {
        async bake({ index }) {
          const base = await ssm.send(new GetParameterCommand({ Name: BENCH_BASE_PARAMETER }));
          const instanceId = await runInstance(ec2, { ...builder, imageId: base.Parameter?.Value ?? '' });
          // A short script can power the machine off before the running waiter looks again: its acceptors
          // call "stopping" a failure and never match "stopped"; either way the best a caller can do is go
          // on to wait for "stopped".
          await waitUntil(
            wait('InstanceRunning', RUNNING_MAX_WAIT_MS),
            instanceCheck(ec2, instanceId, INSTANCE_RUNNING),
          ).catch((error: unknown) => {
            if (!(error instanceof WaiterError)) throw error;
          });
          await waitUntil(wait('InstanceStopped'), instanceCheck(ec2, instanceId, INSTANCE_STOPPED));
          const imageId = await createImage(ec2, instanceId, `waiters-${index}`, true);
          await waitUntil(wait('ImageAvailable'), imageAvailableCheck(ec2, imageId));
          const seenAt = world.clock.now();
          await terminateInstance(ec2, instanceId);
          return { ok: true, imageId, seenAt };
        },
        close: () => {
          ssm.destroy();
          return Promise.resolve();
        },
      };
    },
  };
}
