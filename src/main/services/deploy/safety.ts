import { DescribeImagesCommand, DescribeInstanceTypesCommand, type _InstanceType } from '@aws-sdk/client-ec2';
import { AppError } from '../../../shared/result';
import { awsCode, type DeployCalls } from './calls';
import type { GroupFacts } from './inspect';

export interface ImageFacts {
  imageId: string;
  architecture: string;
  ownerId?: string;
}

function refuse(reason: string, message: string): AppError {
  return new AppError('CONFLICT', message, { reason });
}

/**
 * The image as the group's account sees it in the group's region: it must exist there, be visible to that
 * account (owned, or shared with it) and be available. Asked with the credentials that deploy, which are
 * those of the group's account.
 */
export async function checkImage(
  calls: DeployCalls,
  imageId: string,
  where: { region: string; account: string },
): Promise<ImageFacts> {
  let image;
  try {
    const out = await calls.send('DescribeImages', (o) =>
      calls.connectionClients().ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }), o),
    );
    image = out.Images?.find((i) => i.ImageId === imageId);
  } catch (error) {
    if (!/^InvalidAMIID\./.test(awsCode(error) ?? '')) throw error;
  }
  if (!image) {
    throw refuse(
      'not-shared',
      `Image ${imageId} cannot be seen from account ${where.account} in ${where.region}: it was deregistered, or it is not shared with that account (share it through the project's distribution, or deploy with a profile of the account that owns it).`,
    );
  }
  if (image.State !== 'available') {
    throw refuse(
      'image-unavailable',
      `Image ${imageId} is ${image.State ?? 'not available'} in ${where.region}, so instances cannot launch from it.`,
    );
  }
  return {
    imageId,
    architecture: image.Architecture ?? 'unknown',
    ...(image.OwnerId ? { ownerId: image.OwnerId } : {}),
  };
}

/** The instance types the group launches: the template's, and its mixed policy's overrides. */
export function groupInstanceTypes(group: GroupFacts): string[] {
  const types = new Set<string>();
  for (const o of group.overrides) if (o.InstanceType) types.add(o.InstanceType);
  if (types.size === 0 && group.current.instanceType) types.add(group.current.instanceType);
  return [...types];
}

/** Every instance type the group launches must run the image's architecture (x86_64 vs arm64). */
export async function checkArchitecture(
  calls: DeployCalls,
  group: GroupFacts,
  image: ImageFacts,
): Promise<void> {
  const types = groupInstanceTypes(group);
  if (types.length === 0) {
    throw refuse(
      'architecture',
      `Group ${group.name}'s launch template names no instance type, so Quadraxis cannot check that its instances can boot ${image.imageId} (${image.architecture}).`,
    );
  }
  const out = await calls.send('DescribeInstanceTypes', (o) =>
    calls
      .connectionClients()
      .ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: types as _InstanceType[] }), o),
  );
  const mismatched = types.filter((type) => {
    const info = out.InstanceTypes?.find((t) => t.InstanceType === type);
    return !(info?.ProcessorInfo?.SupportedArchitectures ?? []).some((a) => a === image.architecture);
  });
  if (mismatched.length > 0) {
    throw refuse(
      'architecture',
      `Image ${image.imageId} is ${image.architecture}, but group ${group.name} launches ${mismatched.join(', ')}, which cannot boot it.`,
    );
  }
}

/** A refresh already running in the group is not refreshed again: AWS would refuse, and it is someone's. */
export function checkNoRefresh(group: GroupFacts): void {
  if (!group.activeRefresh) return;
  const r = group.activeRefresh;
  throw refuse(
    'refresh-running',
    `Group ${group.name} already has instance refresh ${r.id} ${r.status} (${r.percentage} %); wait for it to end or cancel it first.`,
  );
}
