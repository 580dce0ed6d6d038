import type { _InstanceType, RunInstancesCommandInput, Tag, TagSpecification } from '@aws-sdk/client-ec2';
import type { Project } from '../../../shared/project';
import { APP_VERSION } from '../app-version';
import {
  ROLE_BUILDER,
  TAG_APP_VERSION,
  TAG_BAKE_ID,
  TAG_BASE_AMI,
  TAG_ENVIRONMENT,
  TAG_PROJECT,
  TAG_ROLE,
  TAG_SCRIPT_SHA256,
} from '../../../protocol/builder-tags';

/**
 * The RunInstances request for a builder and the tags for what a bake creates. The permission check
 * dry-runs exactly these, and the least-privilege policy's conditions are written against them, so the
 * bake engine should build its requests here too.
 */
export interface BuilderLaunch {
  bakeId: string;
  /** The project's named environment the bake is for; absent: the project's own values. */
  environment?: string | undefined;
  /** What the builder boots from (a ResolvedBaseImage fits). */
  image: { imageId: string; rootDeviceName?: string | undefined; ebsDeviceNames?: string[] | undefined };
  /**
   * Encrypt every EBS volume of the builder with this KMS key (its ARN, checked in preflight), so the image
   * CreateImage takes is encrypted from the start — why at launch: delivery/encryption.ts.
   */
  kmsKeyId?: string;
  /** Base64 user data; omitted in a permission check. */
  userData?: string;
  scriptSha256?: string;
  /** Idempotency token: a retried RunInstances with the same token launches nothing new. */
  clientToken?: string;
}

/** Tags on the builder instance and its volumes. `quadraxis:role=builder` is what the policy conditions on. */
export function builderTags(project: Project, launch: BuilderLaunch): Tag[] {
  return [
    ...userTags(project),
    { Key: 'Name', Value: `quadraxis-builder-${project.name}` },
    { Key: TAG_ROLE, Value: ROLE_BUILDER },
    ...bakeTags(project, launch.bakeId, launch.image.imageId, launch.environment),
    ...(launch.scriptSha256 ? [{ Key: TAG_SCRIPT_SHA256, Value: launch.scriptSha256 }] : []),
  ];
}

/** Tags on the image and its snapshots. Cleanup may only deregister/delete what carries this project's tag. */
export function imageTagSpecifications(
  project: Project,
  ids: { bakeId: string; baseImageId: string; imageName: string; environment?: string | undefined },
): TagSpecification[] {
  const tags = [
    ...userTags(project),
    { Key: 'Name', Value: ids.imageName },
    ...bakeTags(project, ids.bakeId, ids.baseImageId, ids.environment),
  ];
  return [
    { ResourceType: 'image', Tags: tags },
    { ResourceType: 'snapshot', Tags: tags },
  ];
}

export function builderRunInstancesInput(project: Project, launch: BuilderLaunch): RunInstancesCommandInput {
  const tags = builderTags(project, launch);
  const profile = project.iamInstanceProfile;
  return {
    ImageId: launch.image.imageId,
    InstanceType: project.instanceType as _InstanceType,
    MinCount: 1,
    MaxCount: 1,
    // The wrapper powers the machine off when the script is done; "stop" keeps the disk for CreateImage.
    InstanceInitiatedShutdownBehavior: 'stop',
    MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
    TagSpecifications: [
      { ResourceType: 'instance', Tags: tags },
      { ResourceType: 'volume', Tags: tags },
    ],
    ...(project.subnetId ? { SubnetId: project.subnetId } : {}),
    ...(project.securityGroupIds.length > 0 ? { SecurityGroupIds: project.securityGroupIds } : {}),
    ...(profile
      ? { IamInstanceProfile: profile.startsWith('arn:') ? { Arn: profile } : { Name: profile } }
      : {}),
    ...(project.keyName ? { KeyName: project.keyName } : {}),
    ...blockDeviceMappings(project, launch),
    ...(launch.userData ? { UserData: launch.userData } : {}),
    ...(launch.clientToken ? { ClientToken: launch.clientToken } : {}),
  };
}

function blockDeviceMappings(
  project: Project,
  launch: BuilderLaunch,
): Pick<RunInstancesCommandInput, 'BlockDeviceMappings'> {
  const root = launch.image.rootDeviceName;
  if (!root) return {};
  const encryption = launch.kmsKeyId ? { Encrypted: true, KmsKeyId: launch.kmsKeyId } : {};
  const others = launch.kmsKeyId ? (launch.image.ebsDeviceNames ?? []).filter((d) => d !== root) : [];
  return {
    BlockDeviceMappings: [
      {
        DeviceName: root,
        Ebs: {
          VolumeType: project.rootVolume.type,
          DeleteOnTermination: true,
          ...(project.rootVolume.sizeGiB ? { VolumeSize: project.rootVolume.sizeGiB } : {}),
          ...encryption,
        },
      },
      ...others.map((DeviceName) => ({ DeviceName, Ebs: { ...encryption } })),
    ],
  };
}

/**
 * The environment tag names which AMI is prod in the console and lets retention keep each environment's
 * newest. The least-privilege policy conditions creation on the project and role tags' values only, never
 * on the set of tag keys, so this extra tag needs no change there (nor in the permission check's dry runs).
 */
function bakeTags(project: Project, bakeId: string, baseImageId: string, environment?: string): Tag[] {
  return [
    { Key: TAG_PROJECT, Value: project.name },
    { Key: TAG_BAKE_ID, Value: bakeId },
    { Key: TAG_BASE_AMI, Value: baseImageId },
    { Key: TAG_APP_VERSION, Value: APP_VERSION },
    ...(environment ? [{ Key: TAG_ENVIRONMENT, Value: environment }] : []),
  ];
}

/** The project's own tags. EC2 refuses a repeated key, and Name is set by Quadraxis (quadraxis: keys are
 * already refused by the project schema). */
function userTags(project: Project): Tag[] {
  return Object.entries(project.tags)
    .filter(([key]) => key !== 'Name')
    .map(([Key, Value]) => ({ Key, Value }));
}
