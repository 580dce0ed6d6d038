import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import type { Published } from '../../../shared/bake';
import { awsErrorCode } from '../bake/aws-call';
import { BakeFailure } from '../bake/failure';
import type { DeliveryPlan } from './plan';
import type { RegionHandle, RegionReach } from './reach';
import type { RegionImage } from './share';

/** Parameter Store validates an aws:ec2:image value within seconds; past this, it did not take it. */
const CONFIRM_TIMEOUT_MS = 120_000;
const CONFIRM_TIMEOUT_TICKS = 60;

export interface PublishJob {
  plan: DeliveryPlan & { parameter: string };
  images: readonly RegionImage[];
  reach: RegionReach;
  description: string;
  tickMs: number;
  /** What an earlier run of this bake journaled (its `previous` values are the ones to restore). */
  known: readonly Published[];
  signal: AbortSignal;
  /** Journals a region's entry before its PutParameter. */
  report(entry: Published): Promise<void>;
}

/**
 * Points the project's parameter at the new image in every region the image is in (PutParameter with the
 * aws:ec2:image data type, so launch templates can use `resolve:ssm:`). Parameter Store answers such a put
 * at once and validates the AMI afterwards — a value it rejects is dropped without a word — so each region
 * is read back until its new version holds the image. If any region fails, the regions already switched are
 * put back to what they held (or the parameter deleted if the bake created it), so a failed bake never
 * leaves a parameter naming an image its cleanup is about to remove.
 */
export async function publishImages(job: PublishJob): Promise<string> {
  const name = job.plan.parameter;
  const entries = new Map(job.known.map((p) => [p.region, p]));
  const results = await Promise.allSettled(job.images.map((image) => publishOne(job, image, entries)));
  const failures = results.flatMap((r, i) =>
    r.status === 'rejected'
      ? [
          `${job.images[i]!.region}: ${(r.reason instanceof Error ? r.reason.message : String(r.reason)).replace(/\.$/, '')}`,
        ]
      : [],
  );
  if (failures.length === 0) {
    return `${name} → ${job.images.map((i) => `${i.imageId} (${i.region})`).join(', ')}`;
  }
  const reverted = await revert(job, entries);
  throw new BakeFailure('AWS_ERROR', `Could not publish ${name}: ${failures.join('; ')}.${reverted}`);
}

async function publishOne(
  job: PublishJob,
  image: RegionImage,
  entries: Map<string, Published>,
): Promise<void> {
  const name = job.plan.parameter;
  const handle = await job.reach.region(image.region);
  // A resumed bake keeps what the parameter held before its first try, not its own value since.
  const known = entries.get(image.region);
  const previous = known ? known.previous : await currentValue(handle, name, job.signal);
  const entry: Published = {
    region: image.region,
    name,
    imageId: image.imageId,
    ...(previous !== undefined ? { previous } : {}),
  };
  await job.report(entry);
  entries.set(image.region, entry);
  const put = await handle.call(
    'PutParameter',
    (o) =>
      handle.clients.ssm.send(
        new PutParameterCommand({
          Name: name,
          Value: image.imageId,
          Type: 'String',
          DataType: 'aws:ec2:image',
          Overwrite: true,
          Description: job.description,
        }),
        o,
      ),
    job.signal,
  );
  if (put.Version === undefined) throw new Error('PutParameter answered without a version.');
  await confirm(job, handle, image.imageId, put.Version);
}

async function currentValue(
  handle: RegionHandle,
  name: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  try {
    const out = await handle.call(
      'GetParameter',
      (o) => handle.clients.ssm.send(new GetParameterCommand({ Name: name }), o),
      signal,
    );
    return out.Parameter?.Value;
  } catch (error) {
    if (awsErrorCode(error) === 'ParameterNotFound') return undefined;
    throw error;
  }
}

/** Reads version `version` back until Parameter Store's validation has let it through. */
async function confirm(
  job: PublishJob,
  handle: RegionHandle,
  imageId: string,
  version: number,
): Promise<void> {
  const name = job.plan.parameter;
  const clock = job.reach.clock;
  const started = clock.now();
  const timeout = Math.max(CONFIRM_TIMEOUT_MS, CONFIRM_TIMEOUT_TICKS * job.tickMs);
  let wait = job.tickMs;
  for (;;) {
    await clock.sleep(wait, job.signal);
    try {
      const out = await handle.call(
        'GetParameter',
        (o) => handle.clients.ssm.send(new GetParameterCommand({ Name: `${name}:${version}` }), o),
        job.signal,
      );
      if (out.Parameter?.Value === imageId) return;
      throw new Error(
        `version ${version} of ${name} holds ${out.Parameter?.Value ?? 'nothing'}, not ${imageId}: another writer got there first.`,
      );
    } catch (error) {
      const code = awsErrorCode(error);
      if (code !== 'ParameterVersionNotFound' && code !== 'ParameterNotFound') throw error;
    }
    if (clock.now() - started >= timeout)
      throw new Error(
        `Parameter Store did not take ${imageId} (version ${version} never appeared): its asynchronous aws:ec2:image validation rejected it.`,
      );
    wait = Math.min(wait * 2, 10 * job.tickMs);
  }
}

/** Puts back every region this bake switched whose parameter still names this bake's image. */
async function revert(job: PublishJob, entries: Map<string, Published>): Promise<string> {
  const name = job.plan.parameter;
  const problems: string[] = [];
  const restored: string[] = [];
  for (const image of job.images) {
    const entry = entries.get(image.region);
    if (!entry) continue;
    const handle = await job.reach.region(image.region);
    try {
      // Put back unless someone else has written since; also when ours is still being validated — the
      // later put wins — so a put that validates after this cannot leave the parameter naming our image.
      const current = await currentValue(handle, name, job.signal);
      if (current !== undefined && current !== image.imageId && current !== entry.previous) continue;
      const previous = entry.previous;
      if (previous !== undefined) {
        const put = await handle.call(
          'PutParameter',
          (o) =>
            handle.clients.ssm.send(
              new PutParameterCommand({
                Name: name,
                Value: previous,
                Type: 'String',
                DataType: 'aws:ec2:image',
                Overwrite: true,
              }),
              o,
            ),
          job.signal,
        );
        // Read back like any publish: the failed bake's cleanup must find the old value there, not ours.
        if (put.Version !== undefined) await confirm(job, handle, previous, put.Version);
      } else {
        await handle
          .call(
            'DeleteParameter',
            (o) => handle.clients.ssm.send(new DeleteParameterCommand({ Name: name }), o),
            job.signal,
          )
          .catch((error: unknown) => {
            if (awsErrorCode(error) !== 'ParameterNotFound') throw error;
          });
      }
      restored.push(image.region);
    } catch (error) {
      problems.push(`${image.region}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return [
    restored.length > 0 ? ` Put ${name} back in ${restored.join(', ')}.` : '',
    problems.length > 0 ? ` Could not put it back in ${problems.join('; ')}.` : '',
  ].join('');
}
