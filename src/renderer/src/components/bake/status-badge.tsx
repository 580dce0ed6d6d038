import { Badge, Tooltip, type MantineSize } from '@mantine/core';
import { IconFlask } from '@tabler/icons-react';
import type { BakeStatus } from '../../../../shared/bake';
import { STATUS_META } from './bake-format';

/** A bake's status; a success that came with cloud-init warnings says so (`warnings`: how many). */
export function BakeStatusBadge({
  status,
  size = 'md',
  warnings = 0,
}: {
  status: BakeStatus;
  size?: MantineSize;
  warnings?: number;
}) {
  const meta = STATUS_META[status];
  const warned = status === 'succeeded' && warnings > 0;
  return (
    <Badge
      color={warned ? 'yellow' : meta.color}
      variant="light"
      size={size}
      radius="sm"
      data-status={status}
      {...(warned ? { 'data-warnings': warnings } : {})}
    >
      {warned ? 'Succeeded with warnings' : meta.label}
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
