import { z } from 'zod';
import { findInstanceType } from '../catalogue/instance-types';
import { SandboxError } from '../wire/errors';
import { qInt } from '../wire/query';
import { isoTime, type XmlValue } from '../wire/xml';
import type { AutoScalingHandler } from './context';
import { memberList, parseAs, required, validation } from './params';

/**
 * Launch configurations, the predecessor of launch templates, as far as groups still using them go: made,
 * listed and deleted, and launched from. They have no versions, so a new image means a new configuration.
 */
const CreateSchema = z
  .object({
    LaunchConfigurationName: z.string().max(255).optional(),
    ImageId: z.string().optional(),
    InstanceType: z.string().optional(),
    KeyName: z.string().optional(),
    SecurityGroups: memberList(z.string()),
    UserData: z.string().optional(),
    IamInstanceProfile: z.string().optional(),
    MetadataOptions: z.object({ HttpTokens: z.enum(['optional', 'required']).optional() }).optional(),
  })
  .loose();

export const createLaunchConfiguration: AutoScalingHandler = (ctx, tree) => {
  const p = parseAs(CreateSchema, tree);
  const name = required(p.LaunchConfigurationName, 'launchConfigurationName');
  if (ctx.region.launchConfigurations.has(name)) {
    throw new SandboxError(
      'AlreadyExists',
      `Launch Configuration by this name already exists - A launch configuration already exists with the name ${name}`,
    );
  }
  const imageId = required(p.ImageId, 'imageId');
  const instanceType = required(p.InstanceType, 'instanceType');
  if (!findInstanceType(instanceType)) throw validation(`Invalid instance type: ${instanceType}`);
  const ec2Region = ctx.core.region(ctx.region.name);
  if (!ec2Region.images.has(imageId)) throw validation(`The image id '[${imageId}]' does not exist`);
  ctx.region.launchConfigurations.set(name, {
    name,
    arn: `arn:aws:autoscaling:${ctx.region.name}:${ctx.accountId}:launchConfiguration:${ctx.core.ids.nextHex('lc').slice(0, 8)}:launchConfigurationName/${name}`,
    createdAt: ctx.now,
    imageId,
    instanceType,
    ...(p.KeyName ? { keyName: p.KeyName } : {}),
    securityGroups: p.SecurityGroups ?? [],
    ...(p.UserData ? { userData: p.UserData } : {}),
    ...(p.IamInstanceProfile ? { iamInstanceProfile: p.IamInstanceProfile } : {}),
    ...(p.MetadataOptions?.HttpTokens ? { httpTokens: p.MetadataOptions.HttpTokens } : {}),
  });
  return undefined;
};

const DescribeSchema = z.object({
  LaunchConfigurationNames: memberList(z.string()),
  MaxRecords: qInt.optional(),
  NextToken: z.string().optional(),
});

export const describeLaunchConfigurations: AutoScalingHandler = (ctx, tree) => {
  const p = parseAs(DescribeSchema, tree);
  const names = p.LaunchConfigurationNames ?? [];
  const configurations = [...ctx.region.launchConfigurations.values()].filter(
    (c) => names.length === 0 || names.includes(c.name),
  );
  return {
    LaunchConfigurations: configurations.map((c): XmlValue => ({
      LaunchConfigurationName: c.name,
      LaunchConfigurationARN: c.arn,
      ImageId: c.imageId,
      InstanceType: c.instanceType,
      KeyName: c.keyName,
      SecurityGroups: c.securityGroups,
      UserData: c.userData,
      IamInstanceProfile: c.iamInstanceProfile,
      CreatedTime: isoTime(c.createdAt),
      MetadataOptions: c.httpTokens ? { HttpTokens: c.httpTokens } : undefined,
    })),
  };
};

const DeleteSchema = z.object({ LaunchConfigurationName: z.string().optional() });

export const deleteLaunchConfiguration: AutoScalingHandler = (ctx, tree) => {
  const p = parseAs(DeleteSchema, tree);
  const name = required(p.LaunchConfigurationName, 'launchConfigurationName');
  if (!ctx.region.launchConfigurations.has(name))
    throw validation(`Launch configuration name not found - ${name}`);
  for (const group of ctx.region.groups.values()) {
    if (group.source.kind === 'configuration' && group.source.name === name) {
      throw new SandboxError(
        'ResourceInUse',
        `Cannot delete launch configuration ${name} because it is attached to AutoScalingGroup ${group.name}`,
      );
    }
  }
  ctx.region.launchConfigurations.delete(name);
  return undefined;
};
