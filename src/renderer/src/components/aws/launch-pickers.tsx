import { MultiSelect, Select, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { isXenInstanceType, xenWarning } from '../../../../shared/instance-types';
import type { TargetSelection } from '../../../../shared/ipc/aws.contract';
import { api } from '../../api';
import { formatMemory } from '../project/format';
import { pickerInputProps } from './picker-input';
import { pickerError, usePicker } from './use-picker';

interface PickerProps {
  target: TargetSelection;
  scope: string;
}

/** Instance types that can run the base image's architecture, smallest first, with vCPUs and memory. */
export function InstanceTypeField({
  target,
  scope,
  architecture,
  value,
  onChange,
  error,
}: PickerProps & { architecture?: string; value: string; onChange: (v: string) => void; error?: string }) {
  const arch = architecture === 'x86_64' || architecture === 'arm64' ? architecture : undefined;
  const types = usePicker(`${scope}\u0000${arch ?? ''}`, (refresh) =>
    api.aws.listInstanceTypes({ target, refresh, ...(arch ? { architecture: arch } : {}) }),
  );
  const items = types.data?.items ?? [];
  const unknown = types.data && value !== '' && !items.some((t) => t.instanceType === value);
  const data = items.map((t) => ({
    value: t.instanceType,
    label: `${t.instanceType} · ${t.vcpus} vCPU · ${formatMemory(t.memoryMiB)}`,
  }));
  // The project's own type stays shown whatever the list says (not loaded, failed, or without it).
  if (value !== '' && !items.some((t) => t.instanceType === value)) data.unshift({ value, label: value });
  const chosen = items.find((t) => t.instanceType === value);
  const xen = value !== '' && isXenInstanceType(value, chosen?.hypervisor);
  return (
    <Stack gap={4}>
      <Select
        label="Instance type"
        description={
          arch
            ? `Types that run ${arch} images in this region.`
            : 'The builder’s size; the image does not keep it.'
        }
        searchable
        data={data}
        value={value || null}
        allowDeselect={false}
        onChange={(v) => v && onChange(v)}
        nothingFoundMessage="No such type here"
        limit={200}
        error={
          error ??
          pickerError('instance types', types.error) ??
          (unknown ? `${value} is not offered for ${arch ?? 'this'} images in this region.` : undefined)
        }
        {...pickerInputProps('instance types', types)}
      />
      {xen && (
        <Text size="xs" c="yellow.8" role="note" aria-label="Xen instance type">
          {xenWarning(value)}
        </Text>
      )}
    </Stack>
  );
}

export function KeyPairField({
  target,
  scope,
  value,
  onChange,
}: PickerProps & { value: string; onChange: (v: string) => void }) {
  const keys = usePicker(scope, (refresh) => api.aws.listKeyPairs({ target, refresh }));
  const data = (keys.data?.items ?? []).map((k) => ({ value: k.keyName, label: k.keyName }));
  if (value && !data.some((d) => d.value === value)) data.unshift({ value, label: value });
  return (
    <Select
      label="Key pair"
      description="Optional: only to log in to a builder while it runs."
      placeholder="None"
      clearable
      data={data}
      value={value || null}
      onChange={(v) => onChange(v ?? '')}
      error={pickerError('key pairs', keys.error)}
      {...pickerInputProps('key pairs', keys)}
    />
  );
}

/** VPC → subnet → security groups. The VPC only narrows the lists; the project stores subnet and groups. */
export function NetworkFields({
  target,
  scope,
  subnetId,
  securityGroupIds,
  onSubnet,
  onGroups,
  subnetError,
  groupsError,
}: PickerProps & {
  subnetId: string;
  securityGroupIds: string[];
  onSubnet: (v: string) => void;
  onGroups: (v: string[]) => void;
  subnetError?: string;
  groupsError?: string;
}) {
  const vpcs = usePicker(scope, (refresh) => api.aws.listVpcs({ target, refresh }));
  const subnets = usePicker(scope, (refresh) => api.aws.listSubnets({ target, refresh }));
  const [chosenVpc, setChosenVpc] = useState<string>();
  const subnetVpc = subnets.data?.items.find((s) => s.subnetId === subnetId)?.vpcId;
  const defaultVpc = vpcs.data?.items.find((v) => v.isDefault)?.vpcId;
  const vpcId = chosenVpc ?? subnetVpc ?? defaultVpc;
  const groups = usePicker(vpcId ? `${scope}\u0000${vpcId}` : null, (refresh) =>
    api.aws.listSecurityGroups({ target, refresh, ...(vpcId ? { vpcId } : {}) }),
  );

  const subnetData = (subnets.data?.items ?? [])
    .filter((s) => !vpcId || s.vpcId === vpcId)
    .map((s) => ({
      value: s.subnetId,
      label: [
        s.name ?? s.subnetId,
        s.availabilityZone,
        s.cidrBlock,
        s.availableIpAddressCount !== undefined ? `${s.availableIpAddressCount} free` : undefined,
      ]
        .filter(Boolean)
        .join(' · '),
    }));
  if (subnetId && !subnetData.some((d) => d.value === subnetId))
    subnetData.unshift({ value: subnetId, label: subnetId });
  const groupData = (groups.data?.items ?? []).map((g) => ({
    value: g.groupId,
    label: `${g.groupName} (${g.groupId})`,
  }));
  for (const id of securityGroupIds)
    if (!groupData.some((d) => d.value === id)) groupData.push({ value: id, label: id });

  return (
    <Stack gap="sm">
      <Select
        label="VPC"
        description="Narrows the subnets and security groups below."
        data={(vpcs.data?.items ?? []).map((v) => ({
          value: v.vpcId,
          label: `${v.name ?? v.vpcId}${v.cidrBlock ? ` · ${v.cidrBlock}` : ''}${v.isDefault ? ' · default' : ''}`,
        }))}
        value={vpcId ?? null}
        allowDeselect={false}
        onChange={(v) => {
          if (!v || v === vpcId) return;
          setChosenVpc(v);
          onSubnet('');
          onGroups([]);
        }}
        error={pickerError('VPCs', vpcs.error)}
        {...pickerInputProps('VPCs', vpcs)}
      />
      <Select
        label="Subnet"
        placeholder="Default subnet of the default VPC"
        clearable
        searchable
        data={subnetData}
        value={subnetId || null}
        onChange={(v) => onSubnet(v ?? '')}
        error={subnetError ?? pickerError('subnets', subnets.error)}
        {...pickerInputProps('subnets', subnets)}
      />
      <MultiSelect
        label="Security groups"
        placeholder={securityGroupIds.length ? undefined : 'The VPC’s default group'}
        searchable
        data={groupData}
        value={securityGroupIds}
        onChange={onGroups}
        error={groupsError ?? pickerError('security groups', groups.error)}
        {...pickerInputProps('security groups', groups)}
      />
      {!subnetId && (
        <Text size="xs" c="dimmed">
          Without a subnet EC2 launches the builder in a default subnet; it needs a way out to install
          packages.
        </Text>
      )}
    </Stack>
  );
}
