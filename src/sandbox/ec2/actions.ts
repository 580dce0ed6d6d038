import type { Ec2Handler } from './context';
import {
  describeImageAttribute,
  disableImage,
  disableImageDeprecation,
  enableImage,
  enableImageDeprecation,
  modifyImageAttribute,
} from './image-attributes';
import { copyImage } from './image-copy';
import { createImage, deregisterImage, describeImages } from './images';
import { describeInstanceTypes } from './instance-types';
import {
  describeInstances,
  getConsoleOutput,
  startInstances,
  stopInstances,
  terminateInstances,
} from './instances';
import {
  describeAvailabilityZones,
  describeKeyPairs,
  describeRegions,
  describeSecurityGroups,
  describeSubnets,
  describeVpcs,
} from './network';
import {
  createLaunchTemplate,
  createLaunchTemplateVersion,
  deleteLaunchTemplate,
  describeLaunchTemplates,
  describeLaunchTemplateVersions,
  modifyLaunchTemplate,
} from './launch-templates';
import { describeInstanceAttribute } from './instance-attributes';
import { runInstances } from './run-instances';
import { describeSnapshotAttribute, modifySnapshotAttribute } from './snapshot-attributes';
import { deleteSnapshot, describeSnapshots, describeVolumes } from './snapshots';
import { createTags, deleteTags } from './tags';

/** Every EC2 action the sandbox speaks. Anything else is `InvalidAction`, as EC2 answers it. */
export const EC2_ACTIONS: Readonly<Record<string, Ec2Handler>> = {
  RunInstances: runInstances,
  DescribeInstances: describeInstances,
  DescribeInstanceAttribute: describeInstanceAttribute,
  StopInstances: stopInstances,
  StartInstances: startInstances,
  TerminateInstances: terminateInstances,
  GetConsoleOutput: getConsoleOutput,
  CreateImage: createImage,
  DescribeImages: describeImages,
  DeregisterImage: deregisterImage,
  DescribeSnapshots: describeSnapshots,
  DeleteSnapshot: deleteSnapshot,
  DescribeVolumes: describeVolumes,
  CreateTags: createTags,
  DeleteTags: deleteTags,
  DescribeRegions: describeRegions,
  DescribeAvailabilityZones: describeAvailabilityZones,
  DescribeVpcs: describeVpcs,
  DescribeSubnets: describeSubnets,
  DescribeSecurityGroups: describeSecurityGroups,
  DescribeInstanceTypes: describeInstanceTypes,
  DescribeKeyPairs: describeKeyPairs,
  CopyImage: copyImage,
  ModifyImageAttribute: modifyImageAttribute,
  DescribeImageAttribute: describeImageAttribute,
  EnableImageDeprecation: enableImageDeprecation,
  DisableImageDeprecation: disableImageDeprecation,
  DisableImage: disableImage,
  EnableImage: enableImage,
  ModifySnapshotAttribute: modifySnapshotAttribute,
  DescribeSnapshotAttribute: describeSnapshotAttribute,
  CreateLaunchTemplate: createLaunchTemplate,
  CreateLaunchTemplateVersion: createLaunchTemplateVersion,
  DescribeLaunchTemplates: describeLaunchTemplates,
  DescribeLaunchTemplateVersions: describeLaunchTemplateVersions,
  ModifyLaunchTemplate: modifyLaunchTemplate,
  DeleteLaunchTemplate: deleteLaunchTemplate,
};
