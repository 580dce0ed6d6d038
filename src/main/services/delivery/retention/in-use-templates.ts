import {
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
  type AutoScalingGroup,
  type LaunchTemplateSpecification,
} from '@aws-sdk/client-auto-scaling';
import { DescribeLaunchTemplateVersionsCommand, type LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { awsErrorCode } from '../../bake/aws-call';
import type { RegionHandle } from '../reach';
import { add, type Usage, type UsageFinder } from './in-use';

const SSM_PREFIX = 'resolve:ssm:';

/**
 * What an ImageId in a launch template means: an AMI id, or `resolve:ssm:<name>[:<version>]`, which EC2
 * resolves at launch — so it is resolved here the same way, by reading the parameter now.
 */
async function imageOf(
  handle: RegionHandle,
  imageId: string | undefined,
  signal: AbortSignal,
  cache: Map<string, Promise<string | undefined>>,
): Promise<string | undefined> {
  if (!imageId?.startsWith(SSM_PREFIX)) return imageId;
  const name = imageId.slice(SSM_PREFIX.length);
  let value = cache.get(name);
  if (!value) {
    value = handle
      .call(
        'GetParameter',
        (o) => handle.clients.ssm.send(new GetParameterCommand({ Name: name }), o),
        signal,
      )
      .then(
        (out) => out.Parameter?.Value,
        (error: unknown) => {
          if (
            awsErrorCode(error) === 'ParameterNotFound' ||
            awsErrorCode(error) === 'ParameterVersionNotFound'
          )
            return undefined;
          throw error;
        },
      );
    cache.set(name, value);
  }
  return value;
}

/** Every launch template's default and latest versions in the region (one paginated call for them all). */
export const launchTemplatesUsing: UsageFinder = async (handle, imageIds, signal) => {
  const usage: Usage = new Map();
  const rows = new Map<string, { row: LaunchTemplateVersion; roles: Set<string> }>();
  let token: string | undefined;
  do {
    const out = await handle.call(
      'DescribeLaunchTemplateVersions',
      (o) =>
        handle.clients.ec2.send(
          new DescribeLaunchTemplateVersionsCommand({
            Versions: ['$Latest', '$Default'],
            MaxResults: 200,
            NextToken: token,
          }),
          o,
        ),
      signal,
    );
    // Which of a template's versions is its latest is only known relative to its others in this answer.
    for (const row of out.LaunchTemplateVersions ?? []) {
      const key = `${row.LaunchTemplateId ?? ''}:${row.VersionNumber ?? ''}`;
      const entry = rows.get(key) ?? { row, roles: new Set<string>() };
      if (row.DefaultVersion) entry.roles.add('default');
      rows.set(key, entry);
    }
    token = out.NextToken;
  } while (token);
  const latest = new Map<string, number>();
  for (const { row } of rows.values()) {
    const id = row.LaunchTemplateId ?? '';
    latest.set(id, Math.max(latest.get(id) ?? 0, row.VersionNumber ?? 0));
  }
  const cache = new Map<string, Promise<string | undefined>>();
  for (const { row, roles } of rows.values()) {
    if (latest.get(row.LaunchTemplateId ?? '') === row.VersionNumber) roles.add('latest');
    const image = await imageOf(handle, row.LaunchTemplateData?.ImageId, signal, cache);
    if (!image || !imageIds.includes(image) || !row.LaunchTemplateId) continue;
    const via = row.LaunchTemplateData?.ImageId?.startsWith(SSM_PREFIX)
      ? ` via ${row.LaunchTemplateData.ImageId}`
      : '';
    add(usage, image, {
      kind: 'launch-template',
      id: row.LaunchTemplateId,
      detail:
        `${row.LaunchTemplateName ?? ''} ${[...roles].sort().join(' and ')} version ${row.VersionNumber ?? '?'}${via}`.trim(),
    });
  }
  return usage;
};

/**
 * Every Auto Scaling group in the region, by what it launches: its launch template (at the version it
 * names — $Default, $Latest or a number), the templates of its mixed instances policy and their overrides,
 * or its launch configuration.
 */
export const autoScalingGroupsUsing: UsageFinder = async (handle, imageIds, signal) => {
  const usage: Usage = new Map();
  const groups: AutoScalingGroup[] = [];
  let token: string | undefined;
  do {
    const out = await handle.call(
      'DescribeAutoScalingGroups',
      (o) =>
        handle.clients.autoScaling.send(
          new DescribeAutoScalingGroupsCommand({ MaxRecords: 100, NextToken: token }),
          o,
        ),
      signal,
    );
    groups.push(...(out.AutoScalingGroups ?? []));
    token = out.NextToken;
  } while (token);
  if (groups.length === 0) return usage;
  const configurations = await launchConfigurationImages(
    handle,
    groups.flatMap((g) => (g.LaunchConfigurationName ? [g.LaunchConfigurationName] : [])),
    signal,
  );
  const cache = new Map<string, Promise<string | undefined>>();
  const templateImages = new Map<string, Promise<string | undefined>>();
  const templateImage = (spec: LaunchTemplateSpecification) => {
    const key = `${spec.LaunchTemplateId ?? ''}|${spec.LaunchTemplateName ?? ''}|${spec.Version ?? '$Default'}`;
    let image = templateImages.get(key);
    if (!image) {
      image = versionImage(handle, spec, signal, cache);
      templateImages.set(key, image);
    }
    return image;
  };
  for (const group of groups) {
    const name = group.AutoScalingGroupName ?? '?';
    const desired = `desired ${group.DesiredCapacity ?? 0}`;
    const specs = [
      group.LaunchTemplate,
      group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification,
      ...(group.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? []).map(
        (o) => o.LaunchTemplateSpecification,
      ),
    ].filter((s): s is LaunchTemplateSpecification => s !== undefined);
    for (const spec of specs) {
      const image = await templateImage(spec);
      if (image && imageIds.includes(image))
        add(usage, image, {
          kind: 'auto-scaling-group',
          id: name,
          detail: `${desired}, launches from ${spec.LaunchTemplateName ?? spec.LaunchTemplateId ?? 'a launch template'} ${spec.Version ?? '$Default'}`,
        });
    }
    const configured = group.LaunchConfigurationName
      ? configurations.get(group.LaunchConfigurationName)
      : undefined;
    if (configured && imageIds.includes(configured))
      add(usage, configured, {
        kind: 'auto-scaling-group',
        id: name,
        detail: `${desired}, launch configuration ${group.LaunchConfigurationName ?? ''}`,
      });
  }
  return usage;
};

async function versionImage(
  handle: RegionHandle,
  spec: LaunchTemplateSpecification,
  signal: AbortSignal,
  cache: Map<string, Promise<string | undefined>>,
): Promise<string | undefined> {
  try {
    const out = await handle.call(
      'DescribeLaunchTemplateVersions',
      (o) =>
        handle.clients.ec2.send(
          new DescribeLaunchTemplateVersionsCommand({
            ...(spec.LaunchTemplateId
              ? { LaunchTemplateId: spec.LaunchTemplateId }
              : { LaunchTemplateName: spec.LaunchTemplateName }),
            Versions: [spec.Version ?? '$Default'],
          }),
          o,
        ),
      signal,
    );
    return await imageOf(handle, out.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.ImageId, signal, cache);
  } catch (error) {
    // A group whose template is gone launches nothing; it uses no image.
    if (/^InvalidLaunchTemplate(Id|Name)\./.test(awsErrorCode(error) ?? '')) return undefined;
    throw error;
  }
}

async function launchConfigurationImages(
  handle: RegionHandle,
  names: string[],
  signal: AbortSignal,
): Promise<Map<string, string>> {
  const images = new Map<string, string>();
  const unique = [...new Set(names)];
  // DescribeLaunchConfigurations takes up to 50 names a call.
  for (let start = 0; start < unique.length; start += 50) {
    const out = await handle.call(
      'DescribeLaunchConfigurations',
      (o) =>
        handle.clients.autoScaling.send(
          new DescribeLaunchConfigurationsCommand({
            LaunchConfigurationNames: unique.slice(start, start + 50),
          }),
          o,
        ),
      signal,
    );
    for (const lc of out.LaunchConfigurations ?? [])
      if (lc.LaunchConfigurationName && lc.ImageId) images.set(lc.LaunchConfigurationName, lc.ImageId);
  }
  return images;
}
