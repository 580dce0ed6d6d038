import { Badge, Tooltip, type MantineSize } from '@mantine/core';
import { IconFlask } from '@tabler/icons-react';
import type { BakeStatus } from '../../../../shared/bake';
import { STATUS_META } from './bake-format';

export function BakeStatusBadge({ status, size = 'md' }: { status: BakeStatus; size?: MantineSize }) {
  const meta = STATUS_META[status];
  return (
    <Badge color={meta.color} variant="light" size={size} radius="sm" data-status={status}>
      {meta.label}
    </Badge>
  );
}

export function SimulatedBadge({ size = 'md' }: { size?: MantineSize }) {
  return (
    <Tooltip label="Baked against the offline Sandbox: its AMI exists only in the simulator.">
      <Badge
        color="grape"
        variant="outline"
        size={size}
        radius="sm"
        leftSection={<IconFlask size={12} aria-hidden />}
        tabIndex={0}
      >
        Simulated
      </Badge>
    </Tooltip>
  );
}
