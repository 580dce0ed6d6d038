import { Badge, Tooltip, type MantineSize } from '@mantine/core';
import { IconFlask } from '@tabler/icons-react';
import type { BakeStatus } from '../../../../shared/bake';
import { STATUS_META } from './bake-format';

/**
 * A bake's status. A success that came with cloud-init warnings says so (`warnings`: how many).
 * `orphanNote` marks a bake listed as interrupted because its process is gone and nothing has recovered it
 * yet (BakeRecord.orphaned): the badge says so, and why, on hover or focus.
 */
export function BakeStatusBadge({
  status,
  size = 'md',
  warnings = 0,
  orphanNote,
}: {
  status: BakeStatus;
  size?: MantineSize;
  warnings?: number;
  orphanNote?: string;
}) {
  const meta = STATUS_META[status];
  const warned = status === 'succeeded' && warnings > 0;
  const label = warned ? 'Succeeded with warnings' : meta.label;
  const badge = (
    <Badge
      color={warned ? 'yellow' : meta.color}
      variant="light"
      size={size}
      radius="sm"
      data-status={status}
      {...(warned ? { 'data-warnings': warnings } : {})}
      data-orphaned={orphanNote ? 'true' : undefined}
      tabIndex={orphanNote ? 0 : undefined}
    >
      {orphanNote ? `${label} · not recovered yet` : label}
    </Badge>
  );
  if (!orphanNote) return badge;
  return (
    <Tooltip label={orphanNote} multiline w={360} withArrow>
      {badge}
    </Tooltip>
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
