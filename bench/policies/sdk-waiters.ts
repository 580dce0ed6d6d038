import {
  createImage,
  imageAvailableCheck,
  INSTANCE_RUNNING,
  INSTANCE_STOPPED,
  instanceCheck,
  runInstance,
  terminateInstance,
} from './ec2-steps';
import { referenceBuilder } from './builder-kit';
import type { Policy } from './types';
import { sdkWaiter, WaiterError, type SdkWaiterOptions } from './waiters';

/** EC2's waiters in @aws-sdk/client-ec2 3.1169.0: `serviceDefaults = { minDelay: 15, maxDelay: 120 }`. */
const EC2_WAITER_DEFAULTS = { minDelay: 15, maxDelay: 120 } as const;
/** The SDK requires maxWaitTime; an hour never cuts a benchmark bake short. */
const MAX_WAIT_S = 3600;

/**
 * One AWS SDK for JavaScript v3 waiter per step, with EC2's defaults, given the best it can do: the same
 * wrapped script as Quadraxis, which powers the machine off after success, so `waitUntilInstanceStopped`
 * does wait for the script. Without the wrapper a waiter has nothing to wait for and would image a
 * half-configured machine like the 2015 design. Steps: RunInstances → waitUntilInstanceRunning →
 * waitUntilInstanceStopped → CreateImage (NoReboot) → waitUntilImageAvailable → TerminateInstances (not
 * awaited, like Quadraxis). The delay formula is the SDK's own (see waiters.ts); every waiter starts over
 * at the 15 s minimum.
 */
export const sdkWaiters: Policy = {
  id: 'sdk-waiters',
  label: 'SDK v3 waiters',
  summary:
    'waitUntilInstanceRunning → …Stopped (script powers off) → CreateImage → waitUntilImageAvailable; 15→120 s backoff',
  powersOff: true,
  awsPathMs: (t, timings) =>
    t.runningAfterMs + timings.bootMs + t.scriptMs + timings.shutdownDelayMs + t.stoppingMs + t.imageMs,
  async open({ world, region, rng }) {
    const ec2 = world.ec2Client(region);
    const builder = await referenceBuilder(ec2, 'bench-sdk-waiters');
    const wait = (what: string): SdkWaiterOptions => ({
      clock: world.clock,
      rng,
      ...EC2_WAITER_DEFAULTS,
      maxWaitTime: MAX_WAIT_S,
      what,
    });
    return {
      async bake({ index }) {
        const instanceId = await runInstance(ec2, builder);
        // A short script can power the machine off before the running waiter looks again; its acceptors
        // call "stopping" a failure, and the best a caller can do is go on to wait for "stopped".
        await sdkWaiter(wait('InstanceRunning'), instanceCheck(ec2, instanceId, INSTANCE_RUNNING)).catch(
          (error: unknown) => {
            if (!(error instanceof WaiterError && error.state === 'failure')) throw error;
          },
        );
        await sdkWaiter(wait('InstanceStopped'), instanceCheck(ec2, instanceId, INSTANCE_STOPPED));
        const imageId = await createImage(ec2, instanceId, `waiters-${index}`, true);
        await sdkWaiter(wait('ImageAvailable'), imageAvailableCheck(ec2, imageId));
        await terminateInstance(ec2, instanceId);
        return { ok: true, imageId };
      },
      close: () => Promise.resolve(),
    };
  },
};
