import { Button, type MantineSize } from '@mantine/core';
import { IconFlame } from '@tabler/icons-react';
import { useStartBake } from './use-start-bake';

/**
 * "Bake AMI" for one project. Starts at once when settings say where to bake; otherwise a small dialog
 * asks for the profile and region. On success it opens the bake's page. `environment` (for "Bake again")
 * is the one the dialog offers first; it still asks, as it does for every project with environments.
 */
export function BakeButton({
  project,
  size = 'sm',
  label = 'Bake AMI',
  environment,
}: {
  project: string;
  size?: MantineSize;
  label?: string;
  environment?: string;
}) {
  const { begin, busy, modal } = useStartBake();
  return (
    <>
      <Button
        size={size}
        leftSection={<IconFlame size={16} aria-hidden />}
        loading={busy}
        onClick={() => void begin(project, environment)}
        aria-label={`${label}: ${project}`}
      >
        {label}
      </Button>
      {modal}
    </>
  );
}
