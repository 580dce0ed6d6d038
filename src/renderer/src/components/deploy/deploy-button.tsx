import { Button, type MantineSize } from '@mantine/core';
import { IconRocket } from '@tabler/icons-react';
import { useState } from 'react';
import { useAppStore } from '../../state/app-store';
import { remember } from '../../state/deploy-store';
import { DeployModal } from './deploy-modal';

/** "Deploy" for a project (a version preselected): opens the confirmation, then the deployment's page. */
export function DeployButton({
  project,
  version,
  size = 'sm',
  variant = 'light',
}: {
  project: string;
  version?: number;
  size?: MantineSize;
  variant?: 'light' | 'filled' | 'default' | 'subtle';
}) {
  const [opened, setOpened] = useState(false);
  const navigate = useAppStore((s) => s.navigate);
  return (
    <>
      <Button
        size={size}
        variant={variant}
        leftSection={<IconRocket size={14} aria-hidden />}
        onClick={() => setOpened(true)}
        aria-label={version !== undefined ? `Deploy version ${version}` : `Deploy ${project}`}
      >
        Deploy
      </Button>
      <DeployModal
        project={project}
        {...(version !== undefined ? { version } : {})}
        opened={opened}
        onClose={() => setOpened(false)}
        onStarted={(deployment) => {
          remember(deployment);
          setOpened(false);
          void navigate({ page: 'deployment', id: deployment.id });
        }}
      />
    </>
  );
}
