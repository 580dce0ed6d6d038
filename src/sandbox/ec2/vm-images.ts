import { stableId } from '../ids';
import { LINEAR } from '../timing/progress';
import type { VmHost } from '../vm/vm-host';
import type { ImageRecord, InstanceRecord, SnapshotRecord } from './records';
import { simulatedTags, type RegionState } from './region-state';

/**
 * The VM mode's images on the EC2 side. The image the Sandbox was given is an AMI owned by the Sandbox's
 * account in every region, with a root snapshot that is its disk; CreateImage of a stopped VM instance
 * copies the instance's disk into a snapshot file, and the image is `pending` until that copy is done.
 */
export function registerVmImage(region: RegionState, vm: VmHost, accountId: string): void {
  const { image } = vm;
  const imageId = stableId('ami', region.region, 'vm', image.name);
  const snapshotId = stableId('snap', region.region, 'vm', image.name);
  // Registered when the Sandbox started, whenever a region is first used: a request that creates the region
  // is timed a moment before it, and must already find the image available.
  const now = vm.startedAt;
  region.snapshots.set(snapshotId, {
    snapshotId,
    region: region.region,
    volumeId: 'vol-ffffffff',
    volumeSize: image.volumeSizeGiB,
    description: `Root disk of ${image.name}: ${image.disk}`,
    startTime: now,
    readyAt: now,
    outcome: 'completed',
    progress: LINEAR,
    tags: simulatedTags(),
    vm: { disk: vm.baseDisk, released: false },
  });
  region.images.set(imageId, {
    imageId,
    region: region.region,
    name: image.name,
    description: image.description,
    ownerId: accountId,
    isPublic: false,
    architecture: 'x86_64',
    distro: image.distro,
    rootDeviceName: '/dev/xvda',
    bootMode: 'legacy-bios',
    devices: [
      {
        deviceName: '/dev/xvda',
        snapshotId,
        volumeSize: image.volumeSizeGiB,
        volumeType: 'gp3',
        deleteOnTermination: true,
      },
    ],
    createdAt: now,
    readyAt: now,
    outcome: 'available',
    tags: simulatedTags(),
    vm: { root: vm.baseDisk, boot: image.boot },
  });
}

/**
 * Starts copying a stopped VM instance's disk into `snapshot` (the image's root); both become ready (or
 * failed) when the copy ends. Until then their readyAt is infinite: pending, as long as it takes.
 */
export function captureVmDisk(
  vm: VmHost,
  instance: InstanceRecord,
  image: ImageRecord,
  snapshot: SnapshotRecord,
): void {
  const source = instance.vm!;
  const boot = source.boot;
  image.readyAt = Number.POSITIVE_INFINITY;
  snapshot.readyAt = Number.POSITIVE_INFINITY;
  const held: NonNullable<SnapshotRecord['vm']> = { released: false };
  snapshot.vm = held;
  source.capture(snapshot.snapshotId).then(
    (disk) => {
      held.disk = disk;
      // Deleted while the copy ran (DeleteSnapshot after DeregisterImage): the copy goes at once.
      if (held.released) vm.disks.release(disk);
      image.vm = { root: disk, boot };
      snapshot.readyAt = image.readyAt = vm.now();
    },
    (error: unknown) => {
      vm.log(`CreateImage ${image.imageId}: ${error instanceof Error ? error.message : String(error)}`);
      image.outcome = 'failed';
      snapshot.outcome = 'error';
      snapshot.readyAt = image.readyAt = vm.now();
    },
  );
}

/** DeleteSnapshot (or DeregisterImage with DeleteAssociatedSnapshots) of a VM snapshot frees its file. */
export function releaseVmSnapshot(vm: VmHost | undefined, snapshot: SnapshotRecord): void {
  if (!snapshot.vm || snapshot.vm.released) return;
  snapshot.vm.released = true;
  if (vm && snapshot.vm.disk) vm.disks.release(snapshot.vm.disk);
}
