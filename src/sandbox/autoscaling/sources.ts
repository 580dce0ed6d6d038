import type { z } from 'zod';
import type { SimulatorCore } from '../core';
import { findTemplate, resolveTemplateVersion } from '../ec2/launch-templates';
import { SandboxError } from '../wire/errors';
import type { XmlValue } from '../wire/xml';
import { ec2At } from './launch';
import { validation, type MixedInstancesPolicySchema, type TemplateSpecSchema } from './params';
import type { LaunchSource, MixedInstancesPolicy, TemplateRef } from './records';
import type { AutoScalingRegion } from './world';

type TemplateSpec = z.output<typeof TemplateSpecSchema>;
type MixedParams = z.output<typeof MixedInstancesPolicySchema>;

/** A launch template reference checked against EC2: the template exists and so does the version. */
export function readTemplateRef(core: SimulatorCore, regionName: string, spec: TemplateSpec): TemplateRef {
  const ctx = ec2At(core, regionName, core.clock.now());
  try {
    const template = findTemplate(ctx, spec.LaunchTemplateId, spec.LaunchTemplateName);
    const version = spec.Version ?? '$Default';
    resolveTemplateVersion(template, version);
    return { launchTemplateId: template.launchTemplateId, launchTemplateName: template.name, version };
  } catch (error) {
    const reason = error instanceof SandboxError ? error.message : String(error);
    throw validation(`You must use a valid fully-formed launch template. ${reason}`);
  }
}

function readMixed(core: SimulatorCore, regionName: string, p: MixedParams): MixedInstancesPolicy {
  const spec = p.LaunchTemplate?.LaunchTemplateSpecification;
  if (!spec)
    throw validation(
      'A MixedInstancesPolicy must contain a LaunchTemplate with a LaunchTemplateSpecification.',
    );
  const overrides = p.LaunchTemplate?.Overrides ?? [];
  if (overrides.some((o) => o.InstanceRequirements !== undefined)) {
    throw validation(
      'The sandbox does not model attribute-based instance type selection (InstanceRequirements); list instance types in Overrides.',
    );
  }
  return {
    template: readTemplateRef(core, regionName, spec),
    overrides: overrides.map((o) => ({
      ...(o.InstanceType ? { instanceType: o.InstanceType } : {}),
      ...(o.WeightedCapacity ? { weightedCapacity: o.WeightedCapacity } : {}),
      ...(o.LaunchTemplateSpecification
        ? { template: readTemplateRef(core, regionName, o.LaunchTemplateSpecification) }
        : {}),
      ...(o.ImageId ? { imageId: o.ImageId } : {}),
    })),
    distribution: { ...(p.InstancesDistribution ?? {}) },
  };
}

/** Exactly one of LaunchTemplate, MixedInstancesPolicy, LaunchConfigurationName (InstanceId is not modelled). */
export function readSource(
  core: SimulatorCore,
  region: AutoScalingRegion,
  p: {
    LaunchTemplate?: TemplateSpec | undefined;
    MixedInstancesPolicy?: MixedParams | undefined;
    LaunchConfigurationName?: string | undefined;
    InstanceId?: string | undefined;
  },
): LaunchSource | undefined {
  const given = [p.LaunchTemplate, p.MixedInstancesPolicy, p.LaunchConfigurationName, p.InstanceId].filter(
    (v) => v !== undefined,
  ).length;
  if (given === 0) return undefined;
  if (given > 1) {
    throw validation(
      'Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.',
    );
  }
  if (p.InstanceId !== undefined) {
    throw validation(
      'The sandbox does not model creating a group from an instance (InstanceId); use a launch template.',
    );
  }
  if (p.LaunchConfigurationName !== undefined) {
    if (!region.launchConfigurations.has(p.LaunchConfigurationName))
      throw validation(
        `Launch configuration name not found - Launch configuration ${p.LaunchConfigurationName} not found`,
      );
    return { kind: 'configuration', name: p.LaunchConfigurationName };
  }
  if (p.LaunchTemplate !== undefined)
    return { kind: 'template', template: readTemplateRef(core, region.name, p.LaunchTemplate) };
  return { kind: 'mixed', policy: readMixed(core, region.name, p.MixedInstancesPolicy!) };
}

function templateRefXml(ref: TemplateRef): XmlValue {
  return {
    LaunchTemplateId: ref.launchTemplateId,
    LaunchTemplateName: ref.launchTemplateName,
    Version: ref.version,
  };
}

export function mixedPolicyXml(policy: MixedInstancesPolicy): XmlValue {
  return {
    LaunchTemplate: {
      LaunchTemplateSpecification: templateRefXml(policy.template),
      Overrides: policy.overrides.map((o) => ({
        InstanceType: o.instanceType,
        WeightedCapacity: o.weightedCapacity,
        LaunchTemplateSpecification: o.template ? templateRefXml(o.template) : undefined,
        ImageId: o.imageId,
      })),
    },
    InstancesDistribution: Object.keys(policy.distribution).length ? policy.distribution : undefined,
  };
}

/** The group's (or a desired configuration's) source as Auto Scaling writes it. */
export function sourceXml(source: LaunchSource): { [key: string]: XmlValue } {
  if (source.kind === 'template') return { LaunchTemplate: templateRefXml(source.template) };
  if (source.kind === 'mixed') return { MixedInstancesPolicy: mixedPolicyXml(source.policy) };
  return { LaunchConfigurationName: source.name };
}
