import {
  Anchor,
  Badge,
  Button,
  Grid,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  TagsInput,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconPencil, IconTrash } from '@tabler/icons-react';
import { useMemo } from 'react';
import { Controller, useFormContext, useWatch } from 'react-hook-form';
import { EnvRows, shownValue } from '../editor/env-rows';
import { regionOptions } from '../aws/regions';
import { branchesMappedTo, effectiveEnv, envRecord, type VariableSource } from './environments-form-model';
import { fieldError } from './field-error';
import { MONO_INPUT } from './input-styles';
import type { ProjectFormValues } from './project-form-model';

const SOURCE: Record<VariableSource, { label: string; color: string }> = {
  project: { label: 'project', color: 'gray' },
  overrides: { label: 'overrides', color: 'blue' },
  adds: { label: 'adds', color: 'teal' },
};

/** One environment: its variables over the project's, its launch overrides, and what a bake of it exports. */
export function EnvironmentCard(props: {
  index: number;
  onRename: (name: string) => void;
  onDelete: (name: string) => void;
  onShowTriggers: () => void;
}) {
  const { index } = props;
  const { control, register, formState } = useFormContext<ProjectFormValues>();
  const at = `environments.${index}` as const;
  const errorAt = (field: string) => fieldError(formState.errors, `${at}.${field}`);
  const name = useWatch({ control, name: `${at}.name` });
  const overrides = useWatch({ control, name: `${at}.env` });
  const region = useWatch({ control, name: `${at}.region` });
  const project = useWatch({
    control,
    name: ['env', 'region', 'instanceType', 'subnetId', 'securityGroupIds', 'iamInstanceProfile'],
  });
  const [projectEnv, projectRegion, instanceType, subnetId, groups, profile] = project;
  const branches = branchesMappedTo(useWatch({ control, name: 'triggers.branches' }), name);
  const base = useMemo(() => envRecord(projectEnv), [projectEnv]);
  const effective = useMemo(() => effectiveEnv(projectEnv, overrides ?? []), [projectEnv, overrides]);
  const projects = (value: string | undefined, none: string) => `Project’s: ${value || none}`;
  const nameError = errorAt('name');

  return (
    <Paper withBorder p="md" component="section" aria-label={`Environment ${name}`}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <div>
            <Title order={3} size="h5" ff="monospace">
              {name}
            </Title>
            <Text size="xs" c="dimmed">
              {branches.length > 0 ? (
                <>
                  A push to {branches.join(', ')} bakes it (
                  <Anchor component="button" type="button" size="xs" onClick={props.onShowTriggers}>
                    Triggers
                  </Anchor>
                  ).
                </>
              ) : (
                'No branch bakes it; pick it when starting a bake.'
              )}
            </Text>
            {nameError && (
              <Text size="xs" c="red" role="alert">
                {nameError}
              </Text>
            )}
          </div>
          <Group gap="xs">
            <Button
              size="compact-xs"
              variant="default"
              leftSection={<IconPencil size={12} aria-hidden />}
              onClick={() => props.onRename(name)}
              aria-label={`Rename ${name}`}
            >
              Rename
            </Button>
            <Button
              size="compact-xs"
              variant="default"
              color="red"
              leftSection={<IconTrash size={12} aria-hidden />}
              onClick={() => props.onDelete(name)}
              aria-label={`Delete ${name}`}
            >
              Delete
            </Button>
          </Group>
        </Group>
        <TextInput
          size="xs"
          label="Description"
          placeholder="What it is for (shown in the start dialog)"
          aria-label={`${name} description`}
          {...register(`${at}.description`)}
          error={errorAt('description')}
        />
        <Grid gap="md">
          <Grid.Col span={{ base: 12, md: 7 }}>
            <EnvRows
              path={`${at}.env`}
              label={`${name} variable`}
              region={region || projectRegion || undefined}
              base={base}
              title="Variables"
              addLabel="Add override"
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 5 }}>
            <Stack gap="xs">
              <Text size="sm" fw={600}>
                Launch overrides
              </Text>
              <Text size="xs" c="dimmed">
                Empty: the project’s setting.
              </Text>
              <SimpleGrid cols={1} spacing={6}>
                <Controller
                  control={control}
                  name={`${at}.region`}
                  render={({ field, fieldState }) => (
                    <Select
                      size="xs"
                      label="Region"
                      aria-label={`${name} region`}
                      placeholder={projects(projectRegion, 'header default')}
                      searchable
                      clearable
                      data={regionOptions(field.value || undefined)}
                      value={field.value || null}
                      onChange={(v) => field.onChange(v ?? '')}
                      error={fieldState.error?.message}
                    />
                  )}
                />
                <TextInput
                  size="xs"
                  label="Instance type"
                  aria-label={`${name} instance type`}
                  placeholder={projects(instanceType, 't3.micro')}
                  styles={MONO_INPUT}
                  spellCheck={false}
                  {...register(`${at}.instanceType`)}
                  error={errorAt('instanceType')}
                />
                <TextInput
                  size="xs"
                  label="Subnet"
                  aria-label={`${name} subnet`}
                  placeholder={projects(subnetId, 'default VPC')}
                  styles={MONO_INPUT}
                  spellCheck={false}
                  {...register(`${at}.subnetId`)}
                  error={errorAt('subnetId')}
                />
                <Controller
                  control={control}
                  name={`${at}.securityGroupIds`}
                  render={({ field }) => (
                    <TagsInput
                      size="xs"
                      label="Security groups"
                      aria-label={`${name} security groups`}
                      placeholder={
                        field.value === null
                          ? projects(groups.join(', '), 'the VPC’s default')
                          : 'None: the VPC’s default group'
                      }
                      styles={MONO_INPUT}
                      splitChars={[',', ' ']}
                      value={field.value ?? []}
                      // Emptied: the project's groups again (an explicit empty list is a project-file matter).
                      onChange={(ids) => field.onChange(ids.length > 0 ? ids : null)}
                      error={errorAt('securityGroupIds')}
                    />
                  )}
                />
                <TextInput
                  size="xs"
                  label="IAM instance profile"
                  aria-label={`${name} instance profile`}
                  description="Its role reads this environment’s references."
                  placeholder={projects(profile, 'none')}
                  styles={MONO_INPUT}
                  spellCheck={false}
                  {...register(`${at}.iamInstanceProfile`)}
                  error={errorAt('iamInstanceProfile')}
                />
              </SimpleGrid>
            </Stack>
          </Grid.Col>
        </Grid>
        <EffectiveEnv name={name} rows={effective} />
      </Stack>
    </Paper>
  );
}

/** What a bake of the environment exports, in order: names and references only, never a secret's value. */
function EffectiveEnv({ name, rows }: { name: string; rows: ReturnType<typeof effectiveEnv> }) {
  return (
    <Stack gap={4}>
      <Text size="sm" fw={600}>
        What a bake of {name} exports
      </Text>
      {rows.length === 0 ? (
        <Text size="xs" c="dimmed" fs="italic">
          No variables.
        </Text>
      ) : (
        <Table fz="xs" verticalSpacing={2} aria-label={`${name} effective variables`} withRowBorders={false}>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={row.name}>
                <Table.Td ff="monospace" w="30%">
                  {row.name}
                </Table.Td>
                <Table.Td ff="monospace" style={{ wordBreak: 'break-all' }}>
                  {shownValue(row.value)}
                </Table.Td>
                <Table.Td style={{ textAlign: 'right', width: 110, minWidth: 110 }}>
                  <Badge size="xs" radius="sm" variant="light" color={SOURCE[row.source].color}>
                    {SOURCE[row.source].label}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
