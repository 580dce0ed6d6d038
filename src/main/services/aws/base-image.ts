import { DescribeImagesCommand, paginateDescribeImages, type Filter } from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { z } from 'zod';
import type { ImageSummary, ResolvedBaseImage } from '../../../shared/aws';
import { AMI_ID_PATTERN, type BaseImage } from '../../../shared/project';
import { AppError } from '../../../shared/result';
import type { AwsClients } from './clients';
import { targetContext, toAppError } from './errors';

/** The fields of an EC2 Image Quadraxis reads; anything else EC2 sends is ignored. */
const Ec2ImageSchema = z.object({
  ImageId: z.string(),
  Name: z.string().optional(),
  Description: z.string().optional(),
  CreationDate: z.string().optional(),
  Architecture: z.string().optional(),
  RootDeviceName: z.string().optional(),
  RootDeviceType: z.string().optional(),
  OwnerId: z.string().optional(),
  ImageOwnerAlias: z.string().optional(),
  PlatformDetails: z.string().optional(),
  Platform: z.string().optional(),
  State: z.string().optional(),
  BlockDeviceMappings: z
    .array(
      z.object({
        DeviceName: z.string().optional(),
        Ebs: z.object({ VolumeSize: z.number().optional() }).optional(),
      }),
    )
    .optional(),
});

export function toImageSummary(raw: unknown): ImageSummary | undefined {
  const parsed = Ec2ImageSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const image = parsed.data;
  const root = image.BlockDeviceMappings?.find((m) => m.DeviceName === image.RootDeviceName);
  const summary: ImageSummary = {
    imageId: image.ImageId,
    name: image.Name ?? image.ImageId,
    architecture: image.Architecture ?? 'unknown',
  };
  if (image.Description) summary.description = image.Description;
  if (image.CreationDate) summary.creationDate = image.CreationDate;
  if (image.RootDeviceName) summary.rootDeviceName = image.RootDeviceName;
  if (image.RootDeviceType) summary.rootDeviceType = image.RootDeviceType;
  if (root?.Ebs?.VolumeSize !== undefined) summary.rootVolumeSizeGiB = root.Ebs.VolumeSize;
  if (image.OwnerId) summary.ownerId = image.OwnerId;
  if (image.ImageOwnerAlias) summary.ownerAlias = image.ImageOwnerAlias;
  if (image.PlatformDetails) summary.platformDetails = image.PlatformDetails;
  if (image.Platform) summary.platform = image.Platform;
  const ebs = (image.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs && m.DeviceName ? [m.DeviceName] : []));
  if (ebs.length > 0) summary.ebsDeviceNames = ebs;
  return summary;
}

export function newestFirst(a: ImageSummary, b: ImageSummary): number {
  return (b.creationDate ?? '').localeCompare(a.creationDate ?? '') || b.name.localeCompare(a.name);
}

export interface ImageQuery {
  owners: string[];
  namePattern: string;
  architecture?: string | undefined;
}

/**
 * Reads the pages EC2 returns for the query, stopping once `limit` images are in (default: all of them).
 * EC2 does not sort, so "newest first" is only exact when nothing was cut off.
 */
export async function describeMatchingImages(
  clients: AwsClients,
  query: ImageQuery,
  options: { limit?: number; pageSize?: number; signal?: AbortSignal } = {},
): Promise<{ items: ImageSummary[]; truncated: boolean }> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const filters: Filter[] = [{ Name: 'state', Values: ['available'] }];
  if (query.namePattern && query.namePattern !== '*')
    filters.push({ Name: 'name', Values: [query.namePattern] });
  if (query.architecture) filters.push({ Name: 'architecture', Values: [query.architecture] });
  const items: ImageSummary[] = [];
  let truncated = false;
  try {
    const pages = paginateDescribeImages(
      { client: clients.ec2, pageSize: options.pageSize ?? 1000 },
      { Owners: query.owners, Filters: filters },
      ...(options.signal ? [{ abortSignal: options.signal }] : []),
    );
    for await (const page of pages) {
      for (const raw of page.Images ?? []) {
        const image = toImageSummary(raw);
        if (image) items.push(image);
      }
      if (items.length >= limit) {
        truncated = items.length > limit || Boolean(page.NextToken);
        break;
      }
    }
  } catch (error) {
    throw toAppError(error, targetContext(clients.target));
  }
  return { items: items.sort(newestFirst).slice(0, limit), truncated };
}

/**
 * What a project's base image is today: a fixed id, the newest image matching owners + name pattern +
 * architecture (like Packer's most_recent), or the AMI an SSM public parameter names. The bake engine calls
 * this in preflight; the project form calls it for its preview.
 */
export async function resolveBaseImage(
  clients: AwsClients,
  baseImage: BaseImage,
  signal?: AbortSignal,
): Promise<ResolvedBaseImage> {
  const region = clients.target.region;
  if (baseImage.kind === 'latest') {
    const { items } = await describeMatchingImages(clients, baseImage, signal ? { signal } : {});
    const newest = items[0];
    if (!newest) {
      throw new AppError(
        'NOT_FOUND',
        `No available ${baseImage.architecture} image owned by ${baseImage.owners.join(', ')} matches "${baseImage.namePattern}" in ${region}.`,
      );
    }
    return { ...newest, source: baseImage };
  }
  if (baseImage.kind === 'id')
    return { ...(await describeImageById(clients, baseImage.imageId, signal)), source: baseImage };

  let value: string | undefined;
  try {
    const reply = await clients.ssm.send(
      new GetParameterCommand({ Name: baseImage.parameter }),
      signal ? { abortSignal: signal } : {},
    );
    value = reply.Parameter?.Value;
  } catch (error) {
    if ((error as { name?: string }).name === 'ParameterNotFound') {
      throw new AppError(
        'NOT_FOUND',
        `The SSM parameter ${baseImage.parameter} does not exist in ${region}.`,
      );
    }
    throw toAppError(error, targetContext(clients.target));
  }
  if (!value || !AMI_ID_PATTERN.test(value)) {
    throw new AppError('AWS_ERROR', `The SSM parameter ${baseImage.parameter} does not hold an AMI id.`);
  }
  return { ...(await describeImageById(clients, value, signal)), source: baseImage, parameterValue: value };
}

async function describeImageById(
  clients: AwsClients,
  imageId: string,
  signal?: AbortSignal,
): Promise<ImageSummary> {
  const region = clients.target.region;
  const missing = () =>
    new AppError(
      'NOT_FOUND',
      `The image ${imageId} does not exist in ${region}, or is not shared with this account.`,
    );
  let raw: unknown;
  try {
    const reply = await clients.ec2.send(
      new DescribeImagesCommand({ ImageIds: [imageId] }),
      signal ? { abortSignal: signal } : {},
    );
    raw = reply.Images?.[0];
  } catch (error) {
    if (/^InvalidAMIID\./.test((error as { name?: string }).name ?? '')) throw missing();
    throw toAppError(error, targetContext(clients.target));
  }
  const image = toImageSummary(raw);
  if (!image) throw missing();
  const state = (raw as { State?: string }).State;
  if (state && state !== 'available') {
    throw new AppError('NOT_FOUND', `The image ${imageId} is ${state}, not available.`);
  }
  return image;
}
