import {
  DescribeKeyPairsCommand,
  paginateDescribeInstanceTypes,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVpcs,
  type Filter,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import type {
  InstanceTypeSummary,
  KeyPairSummary,
  SecurityGroupSummary,
  SubnetSummary,
  VpcSummary,
} from '../../../shared/aws';
import type { AwsClients } from './clients';
import { targetContext, toAppError } from './errors';

/** The launch-setting lists behind the project form, each read through every page EC2 returns. */

const TagsSchema = z.array(z.object({ Key: z.string().optional(), Value: z.string().optional() })).optional();
const nameTag = (tags: z.infer<typeof TagsSchema>) => tags?.find((t) => t.Key === 'Name')?.Value;

const InstanceTypeSchema = z.object({
  InstanceType: z.string(),
  VCpuInfo: z.object({ DefaultVCpus: z.number() }),
  MemoryInfo: z.object({ SizeInMiB: z.number() }),
  ProcessorInfo: z.object({ SupportedArchitectures: z.array(z.string()) }).optional(),
  CurrentGeneration: z.boolean().optional(),
  BurstablePerformanceSupported: z.boolean().optional(),
  Hypervisor: z.string().optional(),
});
const VpcSchema = z.object({
  VpcId: z.string(),
  CidrBlock: z.string().optional(),
  IsDefault: z.boolean().optional(),
  Tags: TagsSchema,
});
const SubnetSchema = z.object({
  SubnetId: z.string(),
  VpcId: z.string(),
  AvailabilityZone: z.string().optional(),
  CidrBlock: z.string().optional(),
  AvailableIpAddressCount: z.number().optional(),
  DefaultForAz: z.boolean().optional(),
  MapPublicIpOnLaunch: z.boolean().optional(),
  Tags: TagsSchema,
});
const SecurityGroupSchema = z.object({
  GroupId: z.string(),
  GroupName: z.string(),
  VpcId: z.string().optional(),
  Description: z.string().optional(),
});
const KeyPairSchema = z.object({
  KeyName: z.string(),
  KeyPairId: z.string().optional(),
  KeyType: z.string().optional(),
});

/** Items EC2 sent that lack what a picker needs are skipped rather than failing the whole list. */
function parseAll<S extends z.ZodType, T>(
  schema: S,
  raws: unknown[] | undefined,
  map: (item: z.infer<S>) => T,
): T[] {
  return (raws ?? []).flatMap((raw) => {
    const parsed = schema.safeParse(raw);
    return parsed.success ? [map(parsed.data)] : [];
  });
}

async function guarded<T>(clients: AwsClients, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toAppError(error, targetContext(clients.target));
  }
}

const sendOptions = (signal?: AbortSignal) => (signal ? [{ abortSignal: signal }] : []);
const vpcFilter = (vpcId?: string): Filter[] => (vpcId ? [{ Name: 'vpc-id', Values: [vpcId] }] : []);

export function listInstanceTypes(
  clients: AwsClients,
  architecture?: string,
  signal?: AbortSignal,
  pageSize = 100,
) {
  return guarded(clients, async () => {
    const items: InstanceTypeSummary[] = [];
    const filters = architecture
      ? [{ Name: 'processor-info.supported-architecture', Values: [architecture] }]
      : [];
    for await (const page of paginateDescribeInstanceTypes(
      { client: clients.ec2, pageSize },
      { Filters: filters },
      ...sendOptions(signal),
    )) {
      items.push(
        ...parseAll(InstanceTypeSchema, page.InstanceTypes, (t) => ({
          instanceType: t.InstanceType,
          vcpus: t.VCpuInfo.DefaultVCpus,
          memoryMiB: t.MemoryInfo.SizeInMiB,
          architectures: t.ProcessorInfo?.SupportedArchitectures ?? [],
          currentGeneration: t.CurrentGeneration ?? false,
          ...(t.Hypervisor ? { hypervisor: t.Hypervisor } : {}),
          burstable: t.BurstablePerformanceSupported ?? false,
        })),
      );
    }
    return items.sort(
      (a, b) =>
        a.vcpus - b.vcpus || a.memoryMiB - b.memoryMiB || a.instanceType.localeCompare(b.instanceType),
    );
  });
}

export function listVpcs(clients: AwsClients, signal?: AbortSignal) {
  return guarded(clients, async () => {
    const items: VpcSummary[] = [];
    for await (const page of paginateDescribeVpcs({ client: clients.ec2 }, {}, ...sendOptions(signal))) {
      items.push(
        ...parseAll(VpcSchema, page.Vpcs, (v) => ({
          vpcId: v.VpcId,
          isDefault: v.IsDefault ?? false,
          ...(nameTag(v.Tags) ? { name: nameTag(v.Tags) } : {}),
          ...(v.CidrBlock ? { cidrBlock: v.CidrBlock } : {}),
        })),
      );
    }
    return items.sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.vpcId.localeCompare(b.vpcId));
  });
}

export function listSubnets(clients: AwsClients, vpcId?: string, signal?: AbortSignal) {
  return guarded(clients, async () => {
    const items: SubnetSummary[] = [];
    for await (const page of paginateDescribeSubnets(
      { client: clients.ec2 },
      { Filters: vpcFilter(vpcId) },
      ...sendOptions(signal),
    )) {
      items.push(
        ...parseAll(SubnetSchema, page.Subnets, (s) => ({
          subnetId: s.SubnetId,
          vpcId: s.VpcId,
          defaultForAz: s.DefaultForAz ?? false,
          mapPublicIpOnLaunch: s.MapPublicIpOnLaunch ?? false,
          ...(nameTag(s.Tags) ? { name: nameTag(s.Tags) } : {}),
          ...(s.AvailabilityZone ? { availabilityZone: s.AvailabilityZone } : {}),
          ...(s.CidrBlock ? { cidrBlock: s.CidrBlock } : {}),
          ...(s.AvailableIpAddressCount !== undefined
            ? { availableIpAddressCount: s.AvailableIpAddressCount }
            : {}),
        })),
      );
    }
    return items.sort(
      (a, b) =>
        (a.availabilityZone ?? '').localeCompare(b.availabilityZone ?? '') ||
        a.subnetId.localeCompare(b.subnetId),
    );
  });
}

export function listSecurityGroups(clients: AwsClients, vpcId?: string, signal?: AbortSignal) {
  return guarded(clients, async () => {
    const items: SecurityGroupSummary[] = [];
    for await (const page of paginateDescribeSecurityGroups(
      { client: clients.ec2 },
      { Filters: vpcFilter(vpcId) },
      ...sendOptions(signal),
    )) {
      items.push(
        ...parseAll(SecurityGroupSchema, page.SecurityGroups, (g) => ({
          groupId: g.GroupId,
          groupName: g.GroupName,
          ...(g.VpcId ? { vpcId: g.VpcId } : {}),
          ...(g.Description ? { description: g.Description } : {}),
        })),
      );
    }
    return items.sort((a, b) => a.groupName.localeCompare(b.groupName));
  });
}

/** DescribeKeyPairs is not paginated: EC2 returns every key pair in one answer. */
export function listKeyPairs(clients: AwsClients, signal?: AbortSignal) {
  return guarded(clients, async () => {
    const reply = await clients.ec2.send(new DescribeKeyPairsCommand({}), ...sendOptions(signal));
    const items: KeyPairSummary[] = parseAll(KeyPairSchema, reply.KeyPairs, (k) => ({
      keyName: k.KeyName,
      ...(k.KeyPairId ? { keyPairId: k.KeyPairId } : {}),
      ...(k.KeyType ? { keyType: k.KeyType } : {}),
    }));
    return items.sort((a, b) => a.keyName.localeCompare(b.keyName));
  });
}
