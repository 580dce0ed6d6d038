import { Stack } from '@mantine/core';
import { useMemo } from 'react';
import { useFormContext, useWatch } from 'react-hook-form';
import { ProjectSchema } from '../../../../shared/project';
import { toProjectInput, type ProjectFormValues } from '../project/project-form-model';
import { PermissionsPanel } from './permissions-panel';
import { PolicyPanel } from './policy-panel';

/** Permission check and IAM policy for the project as it is in the form, saved or not. */
export function AccessTab() {
  const { control } = useFormContext<ProjectFormValues>();
  const values = useWatch({ control }) as ProjectFormValues;
  const parsed = useMemo(() => ProjectSchema.safeParse(toProjectInput(values)), [values]);
  const project = parsed.success ? parsed.data : undefined;
  return (
    <Stack gap="md">
      <PermissionsPanel
        {...(project ? { project } : { blocked: 'Fix the fields marked in red in the other tabs first.' })}
      />
      <PolicyPanel {...(project ? { project } : {})} />
    </Stack>
  );
}
