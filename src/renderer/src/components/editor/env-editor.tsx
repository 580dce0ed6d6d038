import { Paper, Text } from '@mantine/core';
import { useFormContext, useWatch } from 'react-hook-form';
import type { ProjectFormValues } from '../project/project-form-model';
import { EnvRows } from './env-rows';

/** Environment variables for the init script, as name/value rows beside the editor. */
export function EnvEditor() {
  const { control } = useFormContext<ProjectFormValues>();
  const region = useWatch({ control, name: 'region' });
  return (
    <Paper withBorder p="sm" role="group" aria-label="Environment variables">
      <EnvRows
        path="env"
        label="Variable"
        region={region || undefined}
        title="Environment variables"
        addLabel="Add variable"
      >
        <Text size="xs" c="dimmed">
          Exported to the script. Plain values travel in the user data, readable while the builder runs: not
          for secrets. A secret is a reference to SSM Parameter Store or Secrets Manager, read on the builder
          with its instance profile and never seen by Quadraxis. Environments (their tab) can override them.
        </Text>
      </EnvRows>
    </Paper>
  );
}
