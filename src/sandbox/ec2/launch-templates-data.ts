import { z } from 'zod';
import { qBool, qInt } from '../wire/query';
import type { XmlValue } from '../wire/xml';
import { invalidValue } from './errors';
import { EbsSchema, TagSchema } from './params';
import type { Tags } from './records';
import { tagSet } from './tags';

/**
 * What a launch template version holds, as far as the Sandbox launches from it: the parameters
 * RunInstances takes. Anything else EC2 accepts in LaunchTemplateData (network interfaces, placement,
 * market options, CPU options…) is refused with words rather than silently dropped, so a test never
 * believes the Sandbox honoured a setting it ignores.
 */
export interface LaunchTemplateData {
  imageId?: string;
  instanceType?: string;
  keyName?: string;
  securityGroupIds?: string[];
  securityGroups?: string[];
  iamInstanceProfile?: { arn?: string; name?: string };
  /** Base64, as given. */
  userData?: string;
  instanceInitiatedShutdownBehavior?: 'stop' | 'terminate';
  metadataOptions?: { httpTokens?: 'optional' | 'required'; httpPutResponseHopLimit?: number };
  blockDeviceMappings?: BlockDevice[];
  tagSpecifications?: { resourceType: string; tags: [string, string][] }[];
}

export interface BlockDevice {
  deviceName: string;
  noDevice?: boolean;
  ebs?: {
    volumeSize?: number;
    volumeType?: string;
    deleteOnTermination?: boolean;
    iops?: number;
    throughput?: number;
    snapshotId?: string;
    encrypted?: boolean;
  };
}

export interface LaunchTemplateVersionRecord {
  versionNumber: number;
  description?: string;
  createdAt: number;
  createdBy: string;
  data: LaunchTemplateData;
}

export interface LaunchTemplateRecord {
  launchTemplateId: string;
  name: string;
  region: string;
  createdAt: number;
  createdBy: string;
  defaultVersion: number;
  latestVersion: number;
  versions: Map<number, LaunchTemplateVersionRecord>;
  tags: Tags;
  /** ClientToken → the version that call made, so a retried call makes nothing twice. */
  clientTokens: Map<string, number>;
}

/** The parameters of LaunchTemplateData the Sandbox models; the rest are named in the refusal below. */
const MODELLED = new Set([
  'ImageId',
  'InstanceType',
  'KeyName',
  'SecurityGroupId',
  'SecurityGroup',
  'IamInstanceProfile',
  'UserData',
  'InstanceInitiatedShutdownBehavior',
  'MetadataOptions',
  'BlockDeviceMapping',
  'TagSpecification',
]);

export const LaunchTemplateDataSchema = z
  .object({
    ImageId: z.string().optional(),
    InstanceType: z.string().optional(),
    KeyName: z.string().optional(),
    SecurityGroupId: z.array(z.string()).optional(),
    SecurityGroup: z.array(z.string()).optional(),
    IamInstanceProfile: z.object({ Arn: z.string().optional(), Name: z.string().optional() }).optional(),
    UserData: z.string().optional(),
    InstanceInitiatedShutdownBehavior: z.enum(['stop', 'terminate']).optional(),
    MetadataOptions: z
      .object({
        HttpTokens: z.enum(['optional', 'required']).optional(),
        HttpPutResponseHopLimit: qInt.optional(),
      })
      .optional(),
    BlockDeviceMapping: z
      .array(
        z.object({
          DeviceName: z.string().min(1),
          NoDevice: z.string().optional(),
          VirtualName: z.string().optional(),
          Ebs: EbsSchema.extend({ Encrypted: qBool.optional() }).optional(),
        }),
      )
      .optional(),
    TagSpecification: z
      .array(z.object({ ResourceType: z.string(), Tag: z.array(TagSchema).optional() }))
      .optional(),
  })
  .loose();
type DataParams = z.output<typeof LaunchTemplateDataSchema>;

const TAGGABLE_AT_LAUNCH = ['instance', 'volume', 'network-interface', 'spot-instances-request'];

/** Turns the request's LaunchTemplateData into the record's shape, refusing what the Sandbox cannot honour. */
export function readTemplateData(p: DataParams | undefined): LaunchTemplateData {
  if (!p) return {};
  const unmodelled = Object.keys(p).filter((key) => !MODELLED.has(key));
  if (unmodelled.length > 0) {
    throw invalidValue(
      `The sandbox does not model LaunchTemplateData.${unmodelled.join(', LaunchTemplateData.')} (it launches from ImageId, InstanceType, KeyName, security groups, IamInstanceProfile, UserData, InstanceInitiatedShutdownBehavior, MetadataOptions, BlockDeviceMappings and TagSpecifications).`,
    );
  }
  if (p.UserData !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(p.UserData.replace(/\s+/g, ''))) {
    throw invalidValue('Invalid BASE64 encoding of user data.');
  }
  for (const spec of p.TagSpecification ?? []) {
    if (!TAGGABLE_AT_LAUNCH.includes(spec.ResourceType)) {
      throw invalidValue(
        `'${spec.ResourceType}' is not a valid taggable resource type for a launch template's TagSpecifications.`,
      );
    }
  }
  const data: LaunchTemplateData = {};
  if (p.ImageId !== undefined) data.imageId = p.ImageId;
  if (p.InstanceType !== undefined) data.instanceType = p.InstanceType;
  if (p.KeyName !== undefined) data.keyName = p.KeyName;
  if (p.SecurityGroupId?.length) data.securityGroupIds = [...p.SecurityGroupId];
  if (p.SecurityGroup?.length) data.securityGroups = [...p.SecurityGroup];
  if (p.IamInstanceProfile && (p.IamInstanceProfile.Arn || p.IamInstanceProfile.Name)) {
    data.iamInstanceProfile = {
      ...(p.IamInstanceProfile.Arn ? { arn: p.IamInstanceProfile.Arn } : {}),
      ...(p.IamInstanceProfile.Name ? { name: p.IamInstanceProfile.Name } : {}),
    };
  }
  if (p.UserData !== undefined) data.userData = p.UserData.replace(/\s+/g, '');
  if (p.InstanceInitiatedShutdownBehavior)
    data.instanceInitiatedShutdownBehavior = p.InstanceInitiatedShutdownBehavior;
  if (p.MetadataOptions) {
    data.metadataOptions = {
      ...(p.MetadataOptions.HttpTokens ? { httpTokens: p.MetadataOptions.HttpTokens } : {}),
      ...(p.MetadataOptions.HttpPutResponseHopLimit !== undefined
        ? { httpPutResponseHopLimit: p.MetadataOptions.HttpPutResponseHopLimit }
        : {}),
    };
  }
  if (p.BlockDeviceMapping?.length) {
    data.blockDeviceMappings = p.BlockDeviceMapping.map((m) => ({
      deviceName: m.DeviceName,
      ...(m.NoDevice !== undefined ? { noDevice: true } : {}),
      ...(m.Ebs
        ? {
            ebs: {
              ...(m.Ebs.VolumeSize !== undefined ? { volumeSize: m.Ebs.VolumeSize } : {}),
              ...(m.Ebs.VolumeType !== undefined ? { volumeType: m.Ebs.VolumeType } : {}),
              ...(m.Ebs.DeleteOnTermination !== undefined
                ? { deleteOnTermination: m.Ebs.DeleteOnTermination }
                : {}),
              ...(m.Ebs.Iops !== undefined ? { iops: m.Ebs.Iops } : {}),
              ...(m.Ebs.Throughput !== undefined ? { throughput: m.Ebs.Throughput } : {}),
              ...(m.Ebs.SnapshotId !== undefined ? { snapshotId: m.Ebs.SnapshotId } : {}),
              ...(m.Ebs.Encrypted !== undefined ? { encrypted: m.Ebs.Encrypted } : {}),
            },
          }
        : {}),
    }));
  }
  if (p.TagSpecification?.length) {
    data.tagSpecifications = p.TagSpecification.map((spec) => ({
      resourceType: spec.ResourceType,
      tags: (spec.Tag ?? []).map((t): [string, string] => [t.Key, t.Value ?? '']),
    }));
  }
  return data;
}

/** CreateLaunchTemplateVersion with a SourceVersion: the source's parameters, those given replacing them. */
export function mergeTemplateData(source: LaunchTemplateData, given: LaunchTemplateData): LaunchTemplateData {
  return { ...structuredClone(source), ...structuredClone(given) };
}

/** ResponseLaunchTemplateData as EC2 writes it (`launchTemplateData`). */
export function templateDataXml(data: LaunchTemplateData): XmlValue {
  return {
    imageId: data.imageId,
    instanceType: data.instanceType,
    keyName: data.keyName,
    securityGroupIdSet: data.securityGroupIds,
    securityGroupSet: data.securityGroups,
    iamInstanceProfile: data.iamInstanceProfile
      ? { arn: data.iamInstanceProfile.arn, name: data.iamInstanceProfile.name }
      : undefined,
    userData: data.userData,
    instanceInitiatedShutdownBehavior: data.instanceInitiatedShutdownBehavior,
    metadataOptions: data.metadataOptions
      ? {
          state: 'applied',
          httpTokens: data.metadataOptions.httpTokens,
          httpPutResponseHopLimit: data.metadataOptions.httpPutResponseHopLimit,
        }
      : undefined,
    blockDeviceMappingSet: data.blockDeviceMappings?.map((m) => ({
      deviceName: m.deviceName,
      noDevice: m.noDevice ? '' : undefined,
      ebs: m.ebs
        ? {
            volumeSize: m.ebs.volumeSize,
            volumeType: m.ebs.volumeType,
            deleteOnTermination: m.ebs.deleteOnTermination,
            iops: m.ebs.iops,
            throughput: m.ebs.throughput,
            snapshotId: m.ebs.snapshotId,
            encrypted: m.ebs.encrypted,
          }
        : undefined,
    })),
    tagSpecificationSet: data.tagSpecifications?.map((spec) => ({
      resourceType: spec.resourceType,
      tagSet: tagSet(new Map(spec.tags)),
    })),
  };
}
