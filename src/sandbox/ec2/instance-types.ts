import { z } from 'zod';
import { INSTANCE_TYPES, type InstanceTypeInfo } from '../catalogue/instance-types';
import { SandboxError } from '../wire/errors';
import { parseParams } from '../wire/query';
import type { Ec2Handler } from './context';
import { applyFilters } from './filters';
import { paginate } from './pagination';
import { FilterListSchema, IdListSchema, PagingSchema } from './params';

const Schema = z.object({ InstanceType: IdListSchema, Filter: FilterListSchema, ...PagingSchema });

export const describeInstanceTypes: Ec2Handler = (_ctx, tree) => {
  const p = parseParams(Schema, tree);
  const unknown = (p.InstanceType ?? []).filter((name) => !INSTANCE_TYPES.some((t) => t.name === name));
  if (unknown.length > 0) {
    throw new SandboxError(
      'InvalidInstanceType',
      `The following supplied instance types do not exist: [${unknown.join(', ')}]`,
    );
  }
  const named = p.InstanceType?.length
    ? INSTANCE_TYPES.filter((t) => p.InstanceType!.includes(t.name))
    : [...INSTANCE_TYPES];
  const matching = applyFilters<InstanceTypeInfo>(
    named,
    p.Filter,
    {
      'instance-type': (t) => t.name,
      'processor-info.supported-architecture': (t) => t.architecture,
      'vcpu-info.default-vcpus': (t) => t.vcpus,
      'memory-info.size-in-mib': (t) => t.memoryMiB,
      'current-generation': () => true,
      'free-tier-eligible': (t) => t.freeTier,
      'burstable-performance-supported': (t) => t.burstable,
      hypervisor: (t) => t.hypervisor,
    },
    () => new Map(),
  );
  const { page, nextToken } = paginate(matching, 'DescribeInstanceTypes', p.MaxResults, p.NextToken, {
    min: 5,
    max: 100,
  });
  return {
    instanceTypeSet: page.map((t) => ({
      instanceType: t.name,
      currentGeneration: true,
      freeTierEligible: t.freeTier,
      supportedUsageClasses: ['on-demand', 'spot'],
      supportedRootDeviceTypes: ['ebs'],
      supportedVirtualizationTypes: ['hvm'],
      bareMetal: false,
      hypervisor: t.hypervisor,
      processorInfo: {
        supportedArchitectures: [t.architecture],
        sustainedClockSpeedInGhz: t.architecture === 'arm64' ? 2.5 : 3.1,
        manufacturer: t.architecture === 'arm64' ? 'AWS' : 'Intel',
      },
      vCpuInfo: {
        defaultVCpus: t.vcpus,
        defaultCores: Math.max(1, t.vcpus / 2),
        defaultThreadsPerCore: t.architecture === 'arm64' ? 1 : 2,
      },
      memoryInfo: { sizeInMiB: t.memoryMiB },
      instanceStorageSupported: false,
      ebsInfo: { ebsOptimizedSupport: 'default', encryptionSupport: 'supported', nvmeSupport: 'required' },
      networkInfo: {
        networkPerformance: t.network,
        maximumNetworkInterfaces: 3,
        ipv4AddressesPerInterface: 6,
        ipv6Supported: true,
        enaSupport: 'required',
      },
      burstablePerformanceSupported: t.burstable,
      supportedBootModes: t.architecture === 'arm64' ? ['uefi'] : ['legacy-bios', 'uefi'],
    })),
    nextToken,
  };
};
