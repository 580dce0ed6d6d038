import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  CreateTagsCommand,
  DeleteLaunchTemplateCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  ModifyLaunchTemplateCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stableId } from '../../../src/sandbox/ids';
import { errorOf, openSandbox, REGION, type TestSandbox } from './helpers';

let t: TestSandbox;
beforeEach(async () => {
  t = await openSandbox();
});
afterEach(() => t.close());

const AMI_1 = stableId('ami', REGION, 'al2023-ami-2023.5.20240916.0-kernel-6.1-x86_64');
const AMI_2 = stableId('ami', REGION, 'al2023-ami-2023.6.20241031.0-kernel-6.1-x86_64');

async function createWeb() {
  const out = await t.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'web',
      VersionDescription: 'first',
      LaunchTemplateData: {
        ImageId: AMI_1,
        InstanceType: 't3.micro',
        SecurityGroupIds: [stableId('sg', REGION, 'default')],
        IamInstanceProfile: { Name: 'web-role' },
        UserData: Buffer.from('#!/bin/sh\necho hi\n').toString('base64'),
        MetadataOptions: { HttpTokens: 'required' },
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'app', Value: 'web' }] }],
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3' } }],
      },
      TagSpecifications: [{ ResourceType: 'launch-template', Tags: [{ Key: 'team', Value: 'ops' }] }],
    }),
  );
  return out.LaunchTemplate!;
}

describe('launch templates', () => {
  it('creates a template whose version 1 is both default and latest, with its data round-tripped', async () => {
    const template = await createWeb();
    expect(template).toMatchObject({
      LaunchTemplateName: 'web',
      DefaultVersionNumber: 1,
      LatestVersionNumber: 1,
      CreatedBy: 'arn:aws:iam::123456789012:user/sandbox',
    });
    // Like every Sandbox resource, it also carries the simulated marker.
    expect(template.Tags).toEqual([
      { Key: 'team', Value: 'ops' },
      { Key: 'quadraxis:simulated', Value: 'true' },
    ]);
    expect(template.LaunchTemplateId).toMatch(/^lt-[0-9a-f]{17}$/);
    const versions = await t.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: template.LaunchTemplateId }),
    );
    expect(versions.LaunchTemplateVersions).toHaveLength(1);
    expect(versions.LaunchTemplateVersions![0]).toMatchObject({
      VersionNumber: 1,
      VersionDescription: 'first',
      DefaultVersion: true,
      LaunchTemplateData: {
        ImageId: AMI_1,
        InstanceType: 't3.micro',
        SecurityGroupIds: [stableId('sg', REGION, 'default')],
        IamInstanceProfile: { Name: 'web-role' },
        MetadataOptions: { HttpTokens: 'required' },
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'app', Value: 'web' }] }],
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3' } }],
      },
    });
  });

  it('makes a new version from a source version, changing only what is given, and moves the default on request', async () => {
    const template = await createWeb();
    const v2 = await t.ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: template.LaunchTemplateId,
        SourceVersion: '1',
        VersionDescription: 'new AMI',
        LaunchTemplateData: { ImageId: AMI_2 },
        ClientToken: 'deploy-1',
      }),
    );
    expect(v2.LaunchTemplateVersion).toMatchObject({
      VersionNumber: 2,
      DefaultVersion: false,
      LaunchTemplateData: {
        ImageId: AMI_2,
        InstanceType: 't3.micro',
        IamInstanceProfile: { Name: 'web-role' },
      },
    });
    // The same ClientToken again makes nothing new.
    const again = await t.ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: template.LaunchTemplateId,
        SourceVersion: '1',
        LaunchTemplateData: { ImageId: AMI_2 },
        ClientToken: 'deploy-1',
      }),
    );
    expect(again.LaunchTemplateVersion?.VersionNumber).toBe(2);

    const modified = await t.ec2.send(
      new ModifyLaunchTemplateCommand({ LaunchTemplateName: 'web', DefaultVersion: '2' }),
    );
    expect(modified.LaunchTemplate).toMatchObject({ DefaultVersionNumber: 2, LatestVersionNumber: 2 });
    const byAlias = await t.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateName: 'web',
        Versions: ['$Default', '$Latest'],
      }),
    );
    expect(byAlias.LaunchTemplateVersions?.map((v) => v.VersionNumber)).toEqual([2]);
    const everyDefault = await t.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        Versions: ['$Default'],
        Filters: [{ Name: 'image-id', Values: [AMI_2] }],
      }),
    );
    expect(everyDefault.LaunchTemplateVersions?.map((v) => v.LaunchTemplateName)).toEqual(['web']);
  });

  it('answers with EC2 error codes for what it refuses', async () => {
    const template = await createWeb();
    expect(
      await errorOf(
        t.ec2.send(
          new CreateLaunchTemplateCommand({
            LaunchTemplateName: 'web',
            LaunchTemplateData: { ImageId: AMI_1 },
          }),
        ),
      ),
    ).toMatchObject({
      name: 'InvalidLaunchTemplateName.AlreadyExistsException',
    });
    expect(
      await errorOf(t.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['nope'] }))),
    ).toMatchObject({ name: 'InvalidLaunchTemplateName.NotFoundException' });
    expect(
      await errorOf(t.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: ['lt-123'] }))),
    ).toMatchObject({ name: 'InvalidLaunchTemplateId.Malformed' });
    expect(
      await errorOf(
        t.ec2.send(
          new ModifyLaunchTemplateCommand({
            LaunchTemplateId: template.LaunchTemplateId,
            DefaultVersion: '9',
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidLaunchTemplateId.VersionNotFound' });
    expect(
      await errorOf(
        t.ec2.send(
          new CreateLaunchTemplateVersionCommand({
            LaunchTemplateId: template.LaunchTemplateId,
            LaunchTemplateData: { ImageId: 'ami-0123456789abcdef0' },
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidAMIID.NotFound' });
    const unmodelled = await errorOf(
      t.ec2.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: 'spot',
          LaunchTemplateData: { ImageId: AMI_1, InstanceMarketOptions: { MarketType: 'spot' } },
        }),
      ),
    );
    expect(unmodelled).toMatchObject({ name: 'InvalidParameterValue' });
    expect(unmodelled.message).toContain('does not model LaunchTemplateData.InstanceMarketOptions');
  });

  it('lists, tags and deletes templates', async () => {
    const template = await createWeb();
    await t.ec2.send(
      new CreateTagsCommand({
        Resources: [template.LaunchTemplateId!],
        Tags: [{ Key: 'env', Value: 'prod' }],
      }),
    );
    const listed = await t.ec2.send(
      new DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'tag:env', Values: ['prod'] }] }),
    );
    expect(listed.LaunchTemplates?.map((l) => l.LaunchTemplateName)).toEqual(['web']);
    await t.ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: 'web' }));
    expect((await t.ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates).toEqual([]);
  });
});
