import { TAG_SIMULATED } from '../../protocol/builder-tags';
import { BASE_IMAGES } from '../catalogue/base-images';
import { defaultNetwork, type NetworkInfo } from '../catalogue/network';
import { stableId } from '../ids';
import { stateAt, terminatedAt } from './lifecycle';
import type { LaunchTemplateRecord } from './launch-templates-data';
import type { ImageRecord, InstanceRecord, SnapshotRecord, Tags, VolumeRecord } from './records';

export const simulatedTags = (): Tags => new Map([[TAG_SIMULATED, 'true']]);

/** One account's EC2 resources in one region (EC2 resources are regional, and so are its throttles). */
export class RegionState {
  readonly network: NetworkInfo;
  readonly instances = new Map<string, InstanceRecord>();
  readonly images = new Map<string, ImageRecord>();
  readonly snapshots = new Map<string, SnapshotRecord>();
  readonly volumes = new Map<string, VolumeRecord>();
  /** By launch template id (lt-…). */
  readonly launchTemplates = new Map<string, LaunchTemplateRecord>();
  /** RunInstances idempotency: token → what the first call asked for and what it made. */
  readonly clientTokens = new Map<string, { fingerprint: string; instanceIds: string[] }>();
  /** CopyImage idempotency: token → what the first call asked for and the copy it made. */
  readonly copyTokens = new Map<string, { fingerprint: string; imageId: string }>();
  /** Tags on the default network resources (VPC, subnets, security group, key pair). */
  readonly networkTags = new Map<string, Tags>();
  private nextHost = 10;

  constructor(readonly region: string) {
    this.network = defaultNetwork(region);
    for (const id of [
      this.network.vpcId,
      this.network.securityGroup.groupId,
      this.network.keyPair.keyPairId,
      ...this.network.subnets.map((s) => s.subnetId),
    ]) {
      this.networkTags.set(id, simulatedTags());
    }
    for (const base of BASE_IMAGES) {
      const imageId = stableId('ami', region, base.name);
      const created = Date.parse(base.creationDate);
      this.images.set(imageId, {
        imageId,
        region,
        name: base.name,
        description: base.description,
        ownerId: base.ownerId,
        ...(base.ownerAlias ? { ownerAlias: base.ownerAlias } : {}),
        isPublic: true,
        architecture: base.architecture,
        distro: base.distro,
        rootDeviceName: base.rootDeviceName,
        bootMode: base.bootMode,
        devices: [
          {
            deviceName: base.rootDeviceName,
            snapshotId: stableId('snap', region, base.name),
            volumeSize: base.volumeSize,
            volumeType: 'gp3',
            deleteOnTermination: true,
          },
        ],
        createdAt: created,
        readyAt: created,
        outcome: 'available',
        tags: simulatedTags(),
      });
    }
  }

  /** The next private address in a subnet (172.31.x.y), unique within the region. */
  privateIpIn(thirdOctet: number): string {
    const host = this.nextHost++;
    return `172.31.${thirdOctet + Math.floor(host / 250)}.${(host % 250) + 4}`;
  }

  /** Terminated instances vanish from Describe calls a while after termination, as on EC2. */
  sweep(now: number, visibleMs: number): void {
    for (const [id, instance] of this.instances) {
      const at = terminatedAt(instance);
      if (at !== undefined && at + visibleMs < now && stateAt(instance, now) === 'terminated') {
        this.instances.delete(id);
      }
    }
  }

  /** Tags of any resource in this region, by id (undefined if there is no such resource). */
  tagsOf(resourceId: string): Tags | undefined {
    return (
      this.instances.get(resourceId)?.tags ??
      this.images.get(resourceId)?.tags ??
      this.snapshots.get(resourceId)?.tags ??
      this.volumes.get(resourceId)?.tags ??
      this.launchTemplates.get(resourceId)?.tags ??
      this.networkTags.get(resourceId)
    );
  }
}
