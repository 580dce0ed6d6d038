import {
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  type LaunchPermission,
} from '@aws-sdk/client-ec2';
import type { DeliveryPlan } from './plan';
import type { RegionReach } from './reach';

/** One region's image and its snapshots. */
export interface RegionImage {
  region: string;
  imageId: string;
  snapshotIds: string[];
}

/**
 * Grants launch permission on the image in every region to the project's accounts, organizations and
 * OUs — one ModifyImageAttribute per region, which EC2 applies whole or not at all — and, when asked, lets
 * the accounts create volumes from its snapshots (EC2 has no organization form for that). Granting twice is
 * harmless, so a resumed bake simply grants again.
 */
export async function shareImages(
  plan: DeliveryPlan,
  images: readonly RegionImage[],
  reach: RegionReach,
  signal: AbortSignal,
): Promise<string> {
  const { accounts, organizations, organizationalUnits, snapshots } = plan.shareWith;
  const add: LaunchPermission[] = [
    ...accounts.map((UserId) => ({ UserId })),
    ...organizations.map((OrganizationArn) => ({ OrganizationArn })),
    ...organizationalUnits.map((OrganizationalUnitArn) => ({ OrganizationalUnitArn })),
  ];
  await Promise.all(
    images.map(async (image) => {
      const handle = await reach.region(image.region);
      await handle.call(
        'ModifyImageAttribute',
        (o) =>
          handle.clients.ec2.send(
            new ModifyImageAttributeCommand({ ImageId: image.imageId, LaunchPermission: { Add: add } }),
            o,
          ),
        signal,
      );
      if (!snapshots || accounts.length === 0) return;
      for (const SnapshotId of image.snapshotIds) {
        await handle.call(
          'ModifySnapshotAttribute',
          (o) =>
            handle.clients.ec2.send(
              new ModifySnapshotAttributeCommand({
                SnapshotId,
                Attribute: 'createVolumePermission',
                OperationType: 'add',
                UserIds: accounts,
              }),
              o,
            ),
          signal,
        );
      }
    }),
  );
  const whom = [
    count(accounts.length, 'account'),
    count(organizations.length, 'organization'),
    count(organizationalUnits.length, 'OU'),
  ].filter(Boolean);
  const volumes = snapshots && accounts.length > 0 ? ' (and their snapshots)' : '';
  return `shared ${images.map((i) => `${i.imageId} (${i.region})`).join(', ')}${volumes} with ${whom.join(', ')}`;
}

function count(n: number, noun: string): string {
  return n === 0 ? '' : `${n} ${noun}${n === 1 ? '' : 's'}`;
}
