import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Autocomplete, Button, Checkbox, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconClockHour4, IconCopy } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { Controller, useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import { isXenInstanceType, xenWarning } from '../../../../shared/instance-types';
import type { BakeDefaults, BakeStartRequest } from '../../../../shared/ipc/bake.contract';
import { EnvironmentNameSchema, ProjectNameSchema, RegionSchema } from '../../../../shared/project';
import type { AppErrorPayload } from '../../../../shared/result';
import { AWS_REGIONS } from './aws-regions';
import type { StartDialog } from './use-start-bake';

const ChoiceSchema = z.object({
  project: ProjectNameSchema,
  profile: z.string().min(1, 'Choose the AWS profile to bake with.'),
  region: z.union([z.literal(''), RegionSchema]),
  /** '' bakes the project's own values; else one of its named environments. */
  environment: z.union([z.literal(''), EnvironmentNameSchema]),
  remember: z.boolean(),
});
export type StartBakeChoice = z.infer<typeof ChoiceSchema>;

interface StartBakeModalProps {
  dialog: StartDialog;
  onClose: () => void;
  onSubmit: (choice: StartBakeChoice) => Promise<AppErrorPayload | undefined>;
  onForce: (request: BakeStartRequest, remember: boolean) => Promise<AppErrorPayload | undefined>;
}

export function StartBakeModal({ dialog, onClose, onSubmit, onForce }: StartBakeModalProps) {
  const title =
    dialog.kind === 'conflict'
      ? 'Bake again?'
      : dialog.kind === 'form' && dialog.project
        ? `Bake ${dialog.project}`
        : 'Bake an AMI';
  return (
    <Modal opened={dialog.kind !== 'closed'} onClose={onClose} title={title} size="md" centered>
      {dialog.kind === 'form' && (
        <StartBakeForm
          key={dialog.project ?? ''}
          project={dialog.project}
          environment={dialog.environment}
          defaults={dialog.defaults}
          initialError={dialog.error}
          onCancel={onClose}
          onSubmit={onSubmit}
        />
      )}
      {dialog.kind === 'conflict' && (
        <ConflictQuestion
          error={dialog.error}
          onCancel={onClose}
          onConfirm={() => onForce(dialog.request, dialog.remember)}
        />
      )}
    </Modal>
  );
}

function StartBakeForm(props: {
  project: string | undefined;
  environment: string | undefined;
  defaults: BakeDefaults;
  initialError: AppErrorPayload | undefined;
  onCancel: () => void;
  onSubmit: (choice: StartBakeChoice) => Promise<AppErrorPayload | undefined>;
}) {
  const { project, defaults, initialError, onCancel, onSubmit } = props;
  // Offered only while the project still has it: an environment removed since is no choice.
  const offered =
    project && defaults.environments?.[project]?.some((e) => e.name === props.environment)
      ? props.environment
      : undefined;
  const [error, setError] = useState(initialError);
  const preselected =
    defaults.profile ?? defaults.suggestedProfile ?? defaults.profiles.find((p) => p.usable)?.name;
  const regionOf = (profile: string | undefined) =>
    defaults.projectRegion ??
    defaults.region ??
    defaults.profiles.find((p) => p.name === profile)?.region ??
    '';
  const form = useForm<StartBakeChoice>({
    resolver: zodResolver(ChoiceSchema),
    defaultValues: {
      project: project ?? '',
      profile: preselected ?? '',
      region: regionOf(preselected),
      environment: offered ?? '',
      remember: !defaults.profile,
    },
  });
  const profile = useWatch({ control: form.control, name: 'profile' });
  const chosenProject = useWatch({ control: form.control, name: 'project' });
  const { setValue, getValues } = form;
  // Picking a profile brings its own region along, unless the project or the person chose one.
  useEffect(() => {
    const own = defaults.profiles.find((p) => p.name === profile)?.region;
    if (own && !defaults.projectRegion && !getValues('region')) setValue('region', own);
  }, [profile, defaults, getValues, setValue]);

  const submit = form.handleSubmit(async (choice) => {
    setError(undefined);
    const problem = await onSubmit(choice);
    if (problem) setError(problem);
  });
  const chosen = defaults.profiles.find((p) => p.name === profile);
  const environments = defaults.environments?.[chosenProject] ?? [];
  const environmentName = useWatch({ control: form.control, name: 'environment' });
  const chosenEnvironment = environments.find((e) => e.name === environmentName);

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          {project
            ? 'Choose where to bake. The builder instance runs in this account and region, and the image stays there.'
            : 'Choose the project to bake and where.'}
        </Text>
        {!project && (
          <Controller
            control={form.control}
            name="project"
            render={({ field, fieldState }) => (
              <Select
                label="Project"
                placeholder={defaults.projects.length === 0 ? 'No projects yet' : 'Choose a project'}
                data={defaults.projects}
                searchable
                value={field.value || null}
                onChange={(value) => field.onChange(value ?? '')}
                onBlur={field.onBlur}
                error={fieldState.error?.message}
              />
            )}
          />
        )}
        {environments.length > 0 && (
          <Controller
            control={form.control}
            name="environment"
            render={({ field }) => (
              <Select
                label="Environment"
                description={
                  chosenEnvironment
                    ? [
                        chosenEnvironment.description,
                        chosenEnvironment.region && `region ${chosenEnvironment.region}`,
                        chosenEnvironment.instanceType && `instance type ${chosenEnvironment.instanceType}`,
                      ]
                        .filter(Boolean)
                        .join(' · ') || 'Its own env values.'
                    : 'The project’s own env values and settings.'
                }
                data={[
                  { value: '', label: 'None (the project’s own values)' },
                  ...environments.map((e) => ({ value: e.name, label: e.name })),
                ]}
                value={field.value}
                onChange={(value) => field.onChange(value ?? '')}
                allowDeselect={false}
              />
            )}
          />
        )}
        <Controller
          control={form.control}
          name="profile"
          render={({ field, fieldState }) => (
            <Select
              label="AWS profile"
              description={chosen && !chosen.usable ? chosen.problems.join(' ') : undefined}
              placeholder="Choose a profile"
              data={defaults.profiles.map((p) => ({
                value: p.name,
                label: p.usable ? p.label : `${p.label} (not usable)`,
                disabled: !p.usable,
              }))}
              value={field.value || null}
              onChange={(value) => field.onChange(value ?? '')}
              onBlur={field.onBlur}
              error={fieldState.error?.message}
              allowDeselect={false}
            />
          )}
        />
        <Controller
          control={form.control}
          name="region"
          render={({ field, fieldState }) => (
            <Autocomplete
              label="Region"
              description={
                defaults.projectRegion
                  ? 'The project pins its region.'
                  : 'Leave empty to use the profile’s own region.'
              }
              placeholder={chosen?.region ?? 'eu-west-1'}
              data={AWS_REGIONS}
              disabled={Boolean(defaults.projectRegion)}
              value={field.value}
              onChange={field.onChange}
              onBlur={field.onBlur}
              error={fieldState.error?.message}
            />
          )}
        />
        <Controller
          control={form.control}
          name="remember"
          render={({ field }) => (
            <Checkbox
              label="Use this profile and region for future bakes"
              checked={field.value}
              onChange={(event) => field.onChange(event.currentTarget.checked)}
            />
          )}
        />
        <XenNotice instanceType={defaults.instanceTypes?.[chosenProject]} />
        {error && <StartError error={error} />}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={form.formState.isSubmitting}>
            Start bake
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** A Xen builder's console comes late: the bake's end waits for it. Said before the bake, not after. */
function XenNotice({ instanceType }: { instanceType: string | undefined }) {
  if (!instanceType || !isXenInstanceType(instanceType)) return null;
  return (
    <Alert
      color="yellow"
      variant="light"
      icon={<IconClockHour4 size={18} aria-hidden />}
      title="A Xen instance type"
      role="note"
      aria-label="Xen instance type"
    >
      <Text size="sm">{xenWarning(instanceType)}</Text>
    </Alert>
  );
}

function StartError({ error }: { error: AppErrorPayload }) {
  return (
    <Alert
      color="red"
      icon={<IconAlertTriangle size={18} aria-hidden />}
      title="The bake did not start"
      role="alert"
    >
      <Text size="sm">{error.message}</Text>
      {error.details?.command && (
        <Text size="sm" mt={4}>
          Run <code>{error.details.command}</code> and try again.
        </Text>
      )}
    </Alert>
  );
}

/** The engine names the image and version an identical bake made in the error's details. */
function identicalText(error: AppErrorPayload): string {
  const { imageId, version } = error.details ?? {};
  return imageId && version
    ? `An identical bake already produced ${imageId} (version ${version}).`
    : error.message;
}

function ConflictQuestion(props: {
  error: AppErrorPayload;
  onCancel: () => void;
  onConfirm: () => Promise<AppErrorPayload | undefined>;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorPayload>();
  const confirm = async () => {
    setBusy(true);
    setError(await props.onConfirm());
    setBusy(false);
  };
  return (
    <Stack gap="md">
      <Alert color="yellow" variant="light" icon={<IconCopy size={18} aria-hidden />} role="alert">
        <Text size="sm">{identicalText(props.error)} Bake again?</Text>
        <Text size="sm" c="dimmed" mt={6}>
          Nothing changed since: same base image, script, settings and region. Baking again makes a copy of
          that image.
        </Text>
      </Alert>
      {error && <StartError error={error} />}
      <Group justify="flex-end" gap="sm">
        <Button variant="default" onClick={props.onCancel} data-autofocus>
          Keep the existing image
        </Button>
        <Button color="yellow" loading={busy} onClick={() => void confirm()}>
          Bake again
        </Button>
      </Group>
    </Stack>
  );
}
