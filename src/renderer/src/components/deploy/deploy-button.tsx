import { ActionIcon, Button, Tooltip, type MantineSize } from '@mantine/core';
import { IconRocket } from '@tabler/icons-react';
import { useState } from 'react';
import { useAppStore } from '../../state/app-store';
import { remember } from '../../state/deploy-store';
import { DeployModal } from './deploy-modal';

/**
 * "Deploy" for a project (a version preselected): opens the confirmation, then the deployment's page.
 * `compact` is the icon alone (with its name as a tooltip), for a table row where every column counts.
 */
export function DeployButton({
  project,
  version,
  size = 'sm',
  variant = 'light',
  compact = false,
}: {
  project: string;
  version?: number;
  size?: MantineSize;
  variant?: 'light' | 'filled' | 'default' | 'subtle';
  compact?: boolean;
}) {
  const [opened, setOpened] = useState(false);
  const navigate = useAppStore((s) => s.navigate);
  const label = version !== undefined ? `Deploy version ${version}` : `Deploy ${project}`;
  return (
    <>
      {compact ? (
        <Tooltip label={`${label}…`}>
          <ActionIcon size={size} variant={variant} onClick={() => setOpened(true)} aria-label={label}>
            <IconRocket size={16} aria-hidden />
          </ActionIcon>
        </Tooltip>
      ) : (
        <Button
          size={size}
          variant={variant}
          leftSection={<IconRocket size={14} aria-hidden />}
          onClick={() => setOpened(true)}
          aria-label={label}
        >
          Deploy
        </Button>
      )}
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
