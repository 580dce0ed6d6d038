import { DescribeImagesCommand, EnableImageDeprecationCommand, type Image } from '@aws-sdk/client-ec2';
import { TAG_BAKE_ID, TAG_ENVIRONMENT, TAG_PROJECT } from '../../../protocol/builder-tags';
import type { RegionReach } from './reach';
import type { RegionImage } from './share';

const MINUTE = 60_000;

export interface DeprecationResult {
  deprecated: { region: string; imageId: string }[];
  problems: string[];
}

/** Whose older images a bake deprecates: the project's, of the bake's own environment only. */
export interface DeprecationScope {
  project: string;
  /** The bake's named environment; undefined for a bake of the project's own values. */
  environment: string | undefined;
  /**
   * The environment each earlier bake recorded (bake id → name, undefined for own values): what places an
   * image made before images carried the environment tag. An image neither names counts as the project's own
   * values, as retention groups it.
   */
  recorded: ReadonlyMap<string, string | undefined>;
}

/**
 * Marks the project's older images OF THE SAME ENVIRONMENT deprecated in every region the new one was
 * published to, from the next whole minute (EC2 refuses a time in the past and rounds to the minute): a dev
 * bake never deprecates what prod launches. An image's environment is its `quadraxis:environment` tag (none:
 * the project's own values), or for an image from before that tag, what its bake's version recorded. Only
 * images Quadraxis made for this project (its project and bake-id tags) are touched, and deprecation only
 * hides an image from others' image searches — the owner can still launch it — so a failure here is
 * reported, not fatal.
 */
export async function deprecateOlder(
  scope: DeprecationScope,
  images: readonly RegionImage[],
  reach: RegionReach,
  signal: AbortSignal,
): Promise<DeprecationResult> {
  const { project } = scope;
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
          if (!sameEnvironment(older, scope)) continue;
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

function sameEnvironment(image: Image, scope: DeprecationScope): boolean {
  const tag = (key: string) => image.Tags?.find((t) => t.Key === key)?.Value;
  const tagged = tag(TAG_ENVIRONMENT);
  if (tagged !== undefined) return tagged === scope.environment;
  const bakeId = tag(TAG_BAKE_ID);
  // Untagged: a bake of the project's own values, or one from before the tag — its version says which.
  if (bakeId !== undefined && scope.recorded.has(bakeId))
    return scope.recorded.get(bakeId) === scope.environment;
  return scope.environment === undefined;
}
