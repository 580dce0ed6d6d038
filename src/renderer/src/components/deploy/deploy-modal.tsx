import { zodResolver } from '@hookform/resolvers/zod';
import {
  Alert,
  Autocomplete,
  Button,
  Checkbox,
  Group,
  Loader,
  Modal,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useEffect, useMemo, useState } from 'react';
import { Controller, useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import type { Deployment, DeployPreview } from '../../../../shared/deploy';
import type { DeployStartRequest, DeployTargets } from '../../../../shared/ipc/deploy.contract';
import type { BakeDefaults } from '../../../../shared/ipc/bake.contract';
import type { VersionSummary } from '../../../../shared/ipc/versions.contract';
import { GroupNameSchema, RegionSchema } from '../../../../shared/project';
import { api, errorMessage, unwrap } from '../../api';
import { AWS_REGIONS } from '../bake/aws-regions';
import { DeployReview } from './deploy-review';

const FormSchema = z.object({
  version: z.string().min(1, 'Choose a version.'),
  group: GroupNameSchema,
  region: z.union([z.literal(''), RegionSchema]),
  profile: z.string().min(1, 'Choose the AWS profile to deploy with.'),
  minHealthy: z.union([z.literal(''), z.number().int().min(0).max(100)]),
  warmup: z.union([z.literal(''), z.number().int().min(0).max(86_400)]),
  autoRollback: z.boolean(),
});
type FormValues = z.infer<typeof FormSchema>;

interface Loaded {
  versions: VersionSummary[];
  targets: DeployTargets;
  defaults: BakeDefaults;
}

/**
 * "Deploy": choose the group, region, profile and rollout, see exactly what will change — the group, its
 * region, its current and new AMI and its desired capacity, checked against AWS with nothing changed —
 * and only then confirm. A refusal (a refresh already running, an image the group cannot launch…) shows
 * instead of the confirmation.
 */
export function DeployModal(props: {
  project: string;
  version?: number;
  opened: boolean;
  onClose: () => void;
  onStarted: (deployment: Deployment) => void;
}) {
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={`Deploy ${props.project}`} size="lg" centered>
      {props.opened && <DeployContent {...props} />}
    </Modal>
  );
}

/** Mounted each time the dialog opens, so it always starts from what is true now. */
function DeployContent(props: {
  project: string;
  version?: number;
  onClose: () => void;
  onStarted: (deployment: Deployment) => void;
}) {
  const { project } = props;
  const [loaded, setLoaded] = useState<Loaded>();
  const [loadError, setLoadError] = useState<string>();
  useEffect(() => {
    let live = true;
    Promise.all([
      unwrap(api.versions.list({ project, limit: 100 })),
      unwrap(api.deploy.targets({ project })),
      unwrap(api.bake.getDefaults({ project })),
    ]).then(
      ([versions, targets, defaults]) => live && setLoaded({ versions, targets, defaults }),
      (error: unknown) => live && setLoadError(errorMessage(error)),
    );
    return () => {
      live = false;
    };
  }, [project]);

  if (loadError) {
    return (
      <Alert color="red" title="Could not prepare the deploy" role="alert">
        {loadError}
      </Alert>
    );
  }
  if (!loaded) return <Loader aria-label="Loading deploy targets" />;
  if (loaded.versions.length === 0) {
    return (
      <Alert color="yellow" title="Nothing to deploy yet">
        {project} has no version: bake it first.
      </Alert>
    );
  }
  return <DeployForm {...props} loaded={loaded} />;
}

function DeployForm({
  project,
  version,
  loaded,
  onClose,
  onStarted,
}: {
  project: string;
  version?: number;
  loaded: Loaded;
  onClose: () => void;
  onStarted: (deployment: Deployment) => void;
}) {
  const { versions, targets, defaults } = loaded;
  const first = targets.targets[0];
  const form = useForm<FormValues>({
    resolver: zodResolver(FormSchema),
    mode: 'onChange',
    defaultValues: {
      version: String(version ?? versions[0]!.version),
      group: first?.group ?? '',
      region: first?.region ?? targets.region ?? '',
      profile: first?.profile ?? targets.profile ?? defaults.suggestedProfile ?? '',
      minHealthy: '',
      warmup: '',
      autoRollback: true,
    },
  });
  const values = useWatch({ control: form.control });
  const request = useMemo(() => toRequest(project, values), [project, values]);
  const [debounced] = useDebouncedValue(request, 400);
  const [preview, setPreview] = useState<
    { for: string; result: DeployPreview } | { for: string; error: string }
  >();
  const [startError, setStartError] = useState<string>();
  const key = JSON.stringify(debounced);

  useEffect(() => {
    if (!debounced) return;
    let live = true;
    const forKey = JSON.stringify(debounced);
    unwrap(api.deploy.preview(debounced)).then(
      (result) => live && setPreview({ for: forKey, result }),
      (error: unknown) => live && setPreview({ for: forKey, error: errorMessage(error) }),
    );
    return () => {
      live = false;
    };
  }, [debounced]);

  const current = preview && preview.for === key && JSON.stringify(request) === key ? preview : undefined;
  const ready = current && 'result' in current ? current.result : undefined;

  const submit = form.handleSubmit(async () => {
    if (!request || !ready) return;
    setStartError(undefined);
    try {
      onStarted(await unwrap(api.deploy.start(request)));
    } catch (error) {
      setStartError(errorMessage(error));
    }
  });

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="md">
        <SimpleGrid cols={2} spacing="md">
          <Controller
            control={form.control}
            name="version"
            render={({ field }) => (
              <Select
                label="Version"
                data={versions.map((v) => ({
                  value: String(v.version),
                  label: `Version ${v.version} · ${v.imageId}`,
                }))}
                value={field.value}
                onChange={(v) => field.onChange(v ?? '')}
                allowDeselect={false}
              />
            )}
          />
          <Controller
            control={form.control}
            name="group"
            render={({ field, fieldState }) => (
              <Autocomplete
                label="Auto Scaling group"
                description={
                  targets.targets.length
                    ? undefined
                    : 'The project names no deploy target: type a group name.'
                }
                placeholder="web-asg"
                data={[...new Set(targets.targets.map((t) => t.group))]}
                value={field.value}
                onChange={field.onChange}
                error={fieldState.error?.message}
              />
            )}
          />
          <Controller
            control={form.control}
            name="region"
            render={({ field, fieldState }) => (
              <Autocomplete
                label="Region"
                placeholder="the profile’s region"
                data={AWS_REGIONS}
                value={field.value}
                onChange={field.onChange}
                error={fieldState.error?.message}
              />
            )}
          />
          <Controller
            control={form.control}
            name="profile"
            render={({ field, fieldState }) => (
              <Select
                label="AWS profile"
                data={defaults.profiles.map((p) => ({ value: p.name, label: p.label, disabled: !p.usable }))}
                value={field.value || null}
                onChange={(v) => field.onChange(v ?? '')}
                error={fieldState.error?.message}
                allowDeselect={false}
              />
            )}
          />
          <Controller
            control={form.control}
            name="minHealthy"
            render={({ field, fieldState }) => (
              <NumberInput
                label="Min healthy %"
                placeholder="project’s, else 90"
                min={0}
                max={100}
                allowDecimal={false}
                value={field.value}
                onChange={(v) => field.onChange(typeof v === 'number' ? v : '')}
                error={fieldState.error?.message}
              />
            )}
          />
          <Controller
            control={form.control}
            name="warmup"
            render={({ field, fieldState }) => (
              <NumberInput
                label="Instance warmup (s)"
                placeholder="project’s, else the group’s"
                min={0}
                allowDecimal={false}
                value={field.value}
                onChange={(v) => field.onChange(typeof v === 'number' ? v : '')}
                error={fieldState.error?.message}
              />
            )}
          />
        </SimpleGrid>
        <Controller
          control={form.control}
          name="autoRollback"
          render={({ field }) => (
            <Checkbox
              label="Roll back by itself if the refresh fails"
              checked={field.value}
              onChange={(e) => field.onChange(e.currentTarget.checked)}
            />
          )}
        />
        <DeployReview request={request} current={current} />
        {startError && (
          <Alert
            color="red"
            title="The deploy did not start"
            role="alert"
            icon={<IconAlertTriangle size={18} aria-hidden />}
          >
            {startError}
          </Alert>
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={!ready} loading={form.formState.isSubmitting}>
            {ready ? `Deploy to ${ready.group}` : 'Deploy'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function toRequest(project: string, v: Partial<FormValues>): DeployStartRequest | undefined {
  const parsed = FormSchema.safeParse(v);
  if (!parsed.success) return undefined;
  const p = parsed.data;
  const preferences = {
    ...(p.minHealthy !== '' ? { minHealthyPercentage: p.minHealthy } : {}),
    ...(p.warmup !== '' ? { instanceWarmupSeconds: p.warmup } : {}),
    autoRollback: p.autoRollback,
  };
  return {
    project,
    version: Number(p.version),
    group: p.group,
    ...(p.region ? { region: p.region } : {}),
    profile: p.profile,
    preferences,
  };
}
