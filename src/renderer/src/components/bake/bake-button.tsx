import { Button, type MantineSize } from '@mantine/core';
import { IconFlame } from '@tabler/icons-react';
import { useStartBake } from './use-start-bake';

/**
 * "Bake AMI" for one project. Starts at once when settings say where to bake; otherwise a small dialog
 * asks for the profile and region. On success it opens the bake's page.
 */
export function BakeButton({
  project,
  size = 'sm',
  label = 'Bake AMI',
}: {
  project: string;
  size?: MantineSize;
  label?: string;
}) {
  const { begin, busy, modal } = useStartBake();
  return (
    <>
      <Button
        size={size}
        leftSection={<IconFlame size={16} aria-hidden />}
        loading={busy}
        onClick={() => void begin(project)}
        aria-label={`${label}: ${project}`}
      >
        {label}
      </Button>
      {modal}
    </>
  );
}
