import { DescribeImagesCommand, type Image } from '@aws-sdk/client-ec2';
import { TAG_BAKE_ID, TAG_ENVIRONMENT, TAG_PROJECT } from '../../../../protocol/builder-tags';
import type { RegionHandle } from '../reach';

/** Set by a prune that disables an image first: when its grace period started. */
export const TAG_DISABLED_AT = 'quadraxis:disabled-at';

/** One of the project's images in one region, as retention sees it. */
export interface OwnImage {
  region: string;
  imageId: string;
  name: string;
  state: string;
  createdAt: number;
  bakeId: string;
  /** Its `quadraxis:environment` tag; absent for the project's own values and for images baked before it. */
  environment?: string;
  snapshotIds: string[];
  deprecated: boolean;
  disabledAt?: number;
}

/**
 * The images Quadraxis made for this project in a region: owned by the account, tagged with the project
 * and a bake id (both set as CreateImage and CopyImage create them). Nothing else is ever a candidate —
 * not an image someone tagged by hand without a bake id, not another project's. Disabled and deprecated
 * ones included, newest bake first.
 */
export async function projectImages(
  handle: RegionHandle,
  project: string,
  signal: AbortSignal,
): Promise<OwnImage[]> {
  const images: Image[] = [];
  let token: string | undefined;
  do {
    const out = await handle.call(
      'DescribeImages',
      (o) =>
        handle.clients.ec2.send(
          new DescribeImagesCommand({
            Owners: ['self'],
            Filters: [
              { Name: `tag:${TAG_PROJECT}`, Values: [project] },
              { Name: 'tag-key', Values: [TAG_BAKE_ID] },
            ],
            IncludeDisabled: true,
            IncludeDeprecated: true,
            MaxResults: 1000,
            NextToken: token,
          }),
          o,
        ),
      signal,
    );
    images.push(...(out.Images ?? []));
    token = out.NextToken;
  } while (token);
  const now = handle.scope(signal).clock.now();
  return images
    .flatMap((image): OwnImage[] => {
      const tag = (key: string) => image.Tags?.find((t) => t.Key === key)?.Value;
      const bakeId = tag(TAG_BAKE_ID);
      // Belt and braces: the filter already asked for these, but nothing without them is ever touched.
      if (!image.ImageId || !bakeId || tag(TAG_PROJECT) !== project) return [];
      const disabledAt = Date.parse(tag(TAG_DISABLED_AT) ?? '');
      const environment = tag(TAG_ENVIRONMENT);
      const deprecation = image.DeprecationTime ? Date.parse(image.DeprecationTime) : Number.NaN;
      return [
        {
          region: handle.region,
          imageId: image.ImageId,
          name: image.Name ?? image.ImageId,
          state: image.State ?? 'unknown',
          createdAt: image.CreationDate ? Date.parse(image.CreationDate) : now,
          bakeId,
          ...(environment ? { environment } : {}),
          snapshotIds: (image.BlockDeviceMappings ?? []).flatMap((m) =>
            m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [],
          ),
          deprecated: Number.isFinite(deprecation) && deprecation <= now,
          ...(Number.isFinite(disabledAt) ? { disabledAt } : {}),
        },
      ];
    })
    .sort(newestFirst);
}

/** By bake (bake ids sort by time), then by creation: a region's newest image is its latest bake's. */
export function newestFirst(a: OwnImage, b: OwnImage): number {
  return b.bakeId.localeCompare(a.bakeId) || b.createdAt - a.createdAt;
}
