import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { ImageUsage } from '../../../../shared/lifecycle';
import { awsErrorCode } from '../../bake/aws-call';
import type { RegionHandle } from '../reach';

/** EC2 takes up to 200 values per filter. */
const IDS_PER_CALL = 200;
const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];

export type Usage = Map<string, ImageUsage[]>;

/** A way an image can be in use in a region; each answers for a batch of images with one or a few calls. */
export type UsageFinder = (handle: RegionHandle, imageIds: string[], signal: AbortSignal) => Promise<Usage>;

/**
 * Everything that uses any of these images in this region right now. An image is in use when a running or
 * stopped instance was launched from it, a launch template's default or latest version names it, an Auto
 * Scaling group launches it, or one of the project's published parameters names it. Asked again right before each
 * retirement, so what came into use since the plan was made is never deleted.
 */
export async function findUsage(
  handle: RegionHandle,
  imageIds: string[],
  finders: readonly UsageFinder[],
  signal: AbortSignal,
): Promise<Usage> {
  const usage: Usage = new Map();
  if (imageIds.length === 0) return usage;
  for (const found of await Promise.all(finders.map((find) => find(handle, imageIds, signal)))) {
    for (const [imageId, uses] of found) usage.set(imageId, [...(usage.get(imageId) ?? []), ...uses]);
  }
  return usage;
}

export function add(usage: Usage, imageId: string, use: ImageUsage): void {
  const list = usage.get(imageId) ?? [];
  if (!list.some((u) => u.kind === use.kind && u.id === use.id)) list.push(use);
  usage.set(imageId, list);
}

/** Instances (pending, running, stopping or stopped) launched from the images. */
export const instancesUsing: UsageFinder = async (handle, imageIds, signal) => {
  const usage: Usage = new Map();
  for (let start = 0; start < imageIds.length; start += IDS_PER_CALL) {
    let token: string | undefined;
    do {
      const out = await handle.call(
        'DescribeInstances',
        (o) =>
          handle.clients.ec2.send(
            new DescribeInstancesCommand({
              Filters: [
                { Name: 'image-id', Values: imageIds.slice(start, start + IDS_PER_CALL) },
                { Name: 'instance-state-name', Values: LIVE_STATES },
              ],
              NextToken: token,
            }),
            o,
          ),
        signal,
      );
      for (const reservation of out.Reservations ?? [])
        for (const instance of reservation.Instances ?? []) {
          if (!instance.ImageId || !instance.InstanceId) continue;
          add(usage, instance.ImageId, {
            kind: 'instance',
            id: instance.InstanceId,
            detail: instance.State?.Name ?? 'exists',
          });
        }
      token = out.NextToken;
    } while (token);
  }
  return usage;
};

/**
 * A parameter the project publishes names an image in this region — any of them: with {environment} each
 * environment has its own (dev's, prod's, `default`'s), and the image prod's names is prod's in use.
 */
export function parametersUsing(names: readonly string[]): UsageFinder {
  return async (handle, imageIds, signal) => {
    const usage: Usage = new Map();
    for (const name of names) {
      try {
        const out = await handle.call(
          'GetParameter',
          (o) => handle.clients.ssm.send(new GetParameterCommand({ Name: name }), o),
          signal,
        );
        const value = out.Parameter?.Value;
        if (value && imageIds.includes(value))
          add(usage, value, {
            kind: 'ssm-parameter',
            id: name,
            detail: `version ${out.Parameter?.Version ?? '?'}`,
          });
      } catch (error) {
        if (awsErrorCode(error) !== 'ParameterNotFound') throw error;
      }
    }
    return usage;
  };
}
