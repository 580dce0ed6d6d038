import {
  createImage,
  imageState,
  INSTANCE_RUNNING,
  instanceCheck,
  runInstance,
  terminateInstance,
} from './ec2-steps';
import { referenceBuilder } from './builder-kit';
import type { Policy } from './types';
import { fixedDelayWaiter } from './waiters';

/** The seed post gives no figure for it; the engine brief (tracker issue 4) records the design's guess. */
const SCRIPT_GUESS_MS = 120_000;
/** "I simply wrote a loop that checks every thirty seconds for the image to be available." */
const IMAGE_POLL_MS = 30_000;

/**
 * The 2015 design, as the seed post (shared/seed/000_9e5eadc76064335b.txt) and its code describe it:
 * - RunInstances with the init script as user data;
 * - `waitUntil('InstanceRunning')` of the AWS SDK for PHP: first DescribeInstances at once, then every 15 s,
 *   at most 40 (aws-sdk-php src/Waiter.php `initDelay` 0; src/data/ec2/2016-11-15/waiters-2.json);
 * - a fixed 120 s sleep, hoping the script is done (nothing on the instance reports completion);
 * - CreateImage on the still-running instance (NoReboot unset, so EC2 reboots it for the snapshot);
 * - `while (1) { describeImages; if available break; sleep(30); }` — no failure state, no timeout;
 * - TerminateInstances. Nothing is cleaned up when a step fails.
 * Its user data is a plain script: the builder keeps running after it.
 */
export const design2015: Policy = {
  id: 'design-2015',
  label: '2015 design',
  group: 'anchor',
  summary:
    'PHP SDK waiter (15 s fixed) → sleep 120 s → CreateImage while running → DescribeImages every 30 s',
  prematureReason:
    'whenever the script runs longer than its fixed 120 s sleep: nothing on the instance says when the script is done',
  script: { exitCode: 0, poweroff: false },
  awsPathMs: (t) => t.runningAfterMs + t.imageMs,
  async open({ world, region }) {
    const ec2 = world.ec2Client(region);
    const builder = await referenceBuilder(ec2, 'bench-design-2015');
    const clock = world.clock;
    return {
      async bake({ index }) {
        const instanceId = await runInstance(ec2, builder);
        await fixedDelayWaiter(
          { clock, delaySeconds: 15, maxAttempts: 40, what: 'InstanceRunning' },
          instanceCheck(ec2, instanceId, INSTANCE_RUNNING),
        );
        await clock.sleep(SCRIPT_GUESS_MS);
        // The post names images `$project->name . time()`.
        const imageId = await createImage(
          ec2,
          instanceId,
          `web${index}-${Math.floor(clock.now() / 1000)}`,
          false,
        );
        for (;;) {
          if ((await imageState(ec2, imageId)) === 'available') break;
          await clock.sleep(IMAGE_POLL_MS);
        }
        const seenAt = clock.now();
        await terminateInstance(ec2, instanceId);
        return { ok: true, imageId, seenAt };
      },
      close: () => Promise.resolve(),
    };
  },
};
