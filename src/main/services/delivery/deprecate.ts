import { DescribeImagesCommand, EnableImageDeprecationCommand } from '@aws-sdk/client-ec2';
import { TAG_BAKE_ID, TAG_PROJECT } from '../../../protocol/builder-tags';
import type { RegionReach } from './reach';
import type { RegionImage } from './share';

const MINUTE = 60_000;

export interface DeprecationResult {
  deprecated: { region: string; imageId: string }[];
  problems: string[];
}

/**
 * Marks the project's older images deprecated in every region the new one was published to, from the next
 * whole minute (EC2 refuses a time in the past and rounds to the minute). Only images Quadraxis made for this
 * project (its project and bake-id tags) are touched, and deprecation only hides an image from others' image
 * searches — the owner can still launch it — so a failure here is reported, not fatal.
 */
export async function deprecateOlder(
  project: string,
  images: readonly RegionImage[],
  reach: RegionReach,
  signal: AbortSignal,
): Promise<DeprecationResult> {
  const at = Math.ceil((reach.clock.now() + MINUTE) / MINUTE) * MINUTE;
  const result: DeprecationResult = { deprecated: [], problems: [] };
  await Promise.all(
    images.map(async (image) => {
      try {
        const handle = await reach.region(image.region);
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
              }),
              o,
            ),
          signal,
        );
        for (const older of out.Images ?? []) {
          if (!older.ImageId || older.ImageId === image.imageId || older.State !== 'available') continue;
          if (older.DeprecationTime && Date.parse(older.DeprecationTime) <= at) continue;
          await handle.call(
            'EnableImageDeprecation',
            (o) =>
              handle.clients.ec2.send(
                new EnableImageDeprecationCommand({ ImageId: older.ImageId, DeprecateAt: new Date(at) }),
                o,
              ),
            signal,
          );
          result.deprecated.push({ region: image.region, imageId: older.ImageId });
        }
      } catch (error) {
        if (signal.aborted) throw error;
        result.problems.push(`${image.region}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
  return result;
}
