import { Badge, Button, Group, Indicator, Kbd, Tabs, Tooltip } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconDeviceFloppy } from '@tabler/icons-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { FormProvider, useForm, useWatch, type FieldErrors } from 'react-hook-form';
import type { Draft } from '../../../../shared/ipc/drafts.contract';
import type { ProjectEntry } from '../../../../shared/ipc/projects.contract';
import { api, ApiError, errorMessage, unwrap } from '../../api';
import { useAppStore } from '../../state/app-store';
import { AccessTab } from '../aws/access-tab';
import { TriggersPanel } from '../triggers/triggers-panel';
import { BakeButton } from '../bake/bake-button';
import { ScriptTab } from '../editor/script-tab';
import { VersionsPanel } from '../editor/versions-panel';
import { PageHeader } from '../page-header';
import { ConflictModal } from './conflict-modal';
import { DraftAutosave, useDraftWriter } from './draft-autosave';
import { DraftBanner } from './draft-banner';
import { DeliverySettings } from './delivery-settings';
import { EnvironmentsSettings } from './environments-settings';
import { LaunchSettings } from './launch-settings';
import { LeaveGuard } from './leave-guard';
import { ProjectMenu } from './project-menu';
import {
  FIELD_TABS,
  formValuesFromDraft,
  projectFormResolver,
  toFormValues,
  toProjectInput,
  type ProjectFormValues,
} from './project-form-model';

type Tab = 'script' | 'launch' | 'environments' | 'delivery' | 'versions' | 'access' | 'triggers';

function tabsWithErrors(errors: FieldErrors<ProjectFormValues>): Set<Tab> {
  return new Set(Object.keys(errors).map((key) => FIELD_TABS[key as keyof ProjectFormValues] ?? 'launch'));
}

/** The history, comparing against what the editor holds now; watching the script re-renders only this. */
function VersionsTab({ project, retains }: { project: string; retains: boolean }) {
  const script = useWatch<ProjectFormValues, 'initScript'>({ name: 'initScript' });
  return <VersionsPanel project={project} currentScript={script} retains={retains} />;
}

/** One project: its script and settings in one form, saved as a whole, with drafts, history and access checks. */
export function ProjectEditor({ entry, draft }: { entry: ProjectEntry; draft: Draft | null }) {
  const name = entry.project.name;
  const navigate = useAppStore((s) => s.navigate);
  const [revision, setRevision] = useState(entry.revision);
  const revisionRef = useRef(revision);
  const [tab, setTab] = useState<Tab>('script');
  const [conflict, setConflict] = useState<string>();
  const [saving, setSaving] = useState(false);
  const saved = useMemo(() => toFormValues(entry.project), [entry.project]);
  const [offer, setOffer] = useState(() => {
    const values = draft && formValuesFromDraft(draft.content, saved);
    return values && JSON.stringify(values) !== JSON.stringify(saved) ? { draft, values } : undefined;
  });
  const form = useForm<ProjectFormValues>({
    resolver: projectFormResolver,
    defaultValues: saved,
    mode: 'onChange',
  });
  const { isDirty, errors } = form.formState;
  const writer = useDraftWriter(name);

  useEffect(() => {
    revisionRef.current = revision;
  }, [revision]);

  // A draft that holds nothing beyond the saved project (or nothing readable) is not worth offering or keeping.
  const uselessDraft = useRef(draft !== null && offer === undefined);
  useEffect(() => {
    if (!uselessDraft.current) return;
    uselessDraft.current = false;
    void writer.clear();
  }, [writer]);

  const loadSaved = (next: ProjectEntry) => {
    setRevision(next.revision);
    form.reset(toFormValues(next.project));
  };

  const busy = useRef(false);
  const saveValues = async (values: ProjectFormValues, overwrite = false): Promise<boolean> => {
    // Ctrl+S pressed twice, or in the editor and the page at once: one save at a time.
    if (busy.current) return false;
    busy.current = true;
    setSaving(true);
    try {
      const next = await unwrap(api.projects.save({ project: toProjectInput(values), revision, overwrite }));
      loadSaved(next);
      setConflict(undefined);
      await writer.clear();
      notifications.show({ color: 'teal', title: 'Saved', message: `${name} → ${next.file}` });
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CONFLICT') setConflict(error.message);
      else notifications.show({ color: 'red', title: 'Not saved', message: errorMessage(error) });
      return false;
    } finally {
      busy.current = false;
      setSaving(false);
    }
  };

  const save = (overwrite = false) =>
    new Promise<boolean>((resolve) => {
      void form.handleSubmit(
        async (values) => resolve(await saveValues(values, overwrite)),
        (invalid) => {
          const first = [...tabsWithErrors(invalid)][0];
          if (first) setTab(first);
          notifications.show({
            color: 'red',
            title: 'Not saved',
            message: 'Fix the fields marked in red first.',
          });
          resolve(false);
        },
      )();
    });

  const reload = async () => {
    try {
      loadSaved(await unwrap(api.projects.get(name)));
      setConflict(undefined);
      await writer.clear();
    } catch (error) {
      notifications.show({ color: 'red', title: 'Could not reload', message: errorMessage(error) });
    }
  };

  useHotkeys([['mod+S', () => void save()]], []);

  // Saved elsewhere (the CLI, another window) while open and untouched here: show theirs.
  useEffect(
    () =>
      api.projects.onChanged((change) => {
        if (change.name !== name || change.reason !== 'saved') return;
        void unwrap(api.projects.get(name)).then((next) => {
          if (next.revision === revisionRef.current || form.formState.isDirty) return;
          setRevision(next.revision);
          form.reset(toFormValues(next.project));
          notifications.show({ title: 'Reloaded', message: `${name} was changed outside this window.` });
        });
      }),
    [name, form],
  );

  const errorTabs = tabsWithErrors(errors);
  const tabLabel = (id: Tab, label: string) => (
    <Indicator
      color="red"
      size={7}
      offset={-4}
      disabled={!errorTabs.has(id)}
      aria-label={errorTabs.has(id) ? `${label} (has errors)` : undefined}
    >
      {label}
    </Indicator>
  );

  return (
    <FormProvider {...form}>
      <DraftAutosave writer={writer} revision={revision} />
      <LeaveGuard
        dirty={isDirty}
        onSave={() => save()}
        onDiscard={async () => {
          form.reset(saved);
          await writer.clear();
        }}
      />
      <ConflictModal
        {...(conflict ? { message: conflict } : {})}
        onClose={() => setConflict(undefined)}
        onReload={() => void reload()}
        onOverwrite={() => void save(true)}
      />
      <PageHeader
        title={name}
        description={entry.project.description || entry.file}
        actions={
          <>
            {isDirty && (
              <Tooltip label="Kept as a draft until saved. Bakes use the last saved version.">
                <Badge color="yellow" variant="light" size="lg" radius="sm" tabIndex={0}>
                  Unsaved changes
                </Badge>
              </Tooltip>
            )}
            <Tooltip
              label={
                <Group gap={4}>
                  Save <Kbd size="xs">Ctrl</Kbd>+<Kbd size="xs">S</Kbd>
                </Group>
              }
            >
              <Button
                variant={isDirty ? 'filled' : 'default'}
                leftSection={<IconDeviceFloppy size={16} aria-hidden />}
                onClick={() => void save()}
                loading={saving}
                disabled={!isDirty}
              >
                Save
              </Button>
            </Tooltip>
            <BakeButton project={name} />
            <ProjectMenu
              name={name}
              revision={revision}
              {...(isDirty
                ? { renameBlocked: 'Save or discard your changes before renaming the project.' }
                : {})}
              onGone={(renamedTo) =>
                void navigate(renamedTo ? { page: 'project', name: renamedTo } : { page: 'projects' })
              }
            />
          </>
        }
      />
      {offer && !isDirty && (
        <DraftBanner
          savedAt={offer.draft.savedAt}
          stale={offer.draft.baseRevision !== undefined && offer.draft.baseRevision !== revision}
          onRestore={() => {
            form.reset(offer.values, { keepDefaultValues: true });
            setOffer(undefined);
          }}
          onDiscard={() => {
            setOffer(undefined);
            void writer.clear();
          }}
        />
      )}
      <Tabs value={tab} onChange={(v) => v && setTab(v as Tab)} keepMounted keepMountedMode="display-none">
        <Tabs.List mb="md">
          <Tabs.Tab value="script">{tabLabel('script', 'Init script')}</Tabs.Tab>
          <Tabs.Tab value="launch">{tabLabel('launch', 'Launch settings')}</Tabs.Tab>
          <Tabs.Tab value="environments">{tabLabel('environments', 'Environments')}</Tabs.Tab>
          <Tabs.Tab value="delivery">{tabLabel('delivery', 'Delivery')}</Tabs.Tab>
          <Tabs.Tab value="versions">Versions</Tabs.Tab>
          <Tabs.Tab value="access">AWS access</Tabs.Tab>
          <Tabs.Tab value="triggers">{tabLabel('triggers', 'Triggers')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="script">
          <ScriptTab onSave={() => void save()} />
        </Tabs.Panel>
        <Tabs.Panel value="launch">
          <LaunchSettings />
        </Tabs.Panel>
        <Tabs.Panel value="environments">
          <EnvironmentsSettings onShowTriggers={() => setTab('triggers')} />
        </Tabs.Panel>
        <Tabs.Panel value="delivery">
          <DeliverySettings />
        </Tabs.Panel>
        <Tabs.Panel value="versions">
          {tab === 'versions' && (
            <VersionsTab project={name} retains={entry.project.retention !== undefined} />
          )}
        </Tabs.Panel>
        <Tabs.Panel value="access">{tab === 'access' && <AccessTab />}</Tabs.Panel>
        <Tabs.Panel value="triggers">
          {tab === 'triggers' && <TriggersPanel project={name} revision={revision} />}
        </Tabs.Panel>
      </Tabs>
    </FormProvider>
  );
}
