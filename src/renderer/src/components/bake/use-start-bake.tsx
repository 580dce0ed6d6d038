import { lazy, Suspense, useState, type ReactNode } from 'react';
import type { BakeDefaults, BakeStartRequest } from '../../../../shared/ipc/bake.contract';
import type { AppErrorPayload } from '../../../../shared/result';
import { ApiError, api, unwrap } from '../../api';
import { useAppStore } from '../../state/app-store';
import type { StartBakeChoice } from './start-bake-modal';

// Its form and schemas load the first time it opens, not with the projects list that shows the button.
const StartBakeModal = lazy(() => import('./start-bake-modal').then((m) => ({ default: m.StartBakeModal })));

export type StartDialog =
  | { kind: 'closed' }
  | {
      kind: 'form';
      project?: string;
      /** The environment offered first ("Bake again" of a prod bake offers prod). */
      environment?: string;
      defaults: BakeDefaults;
      error?: AppErrorPayload;
    }
  | { kind: 'conflict'; request: BakeStartRequest; error: AppErrorPayload; remember: boolean };

function asPayload(error: unknown): AppErrorPayload {
  if (error instanceof ApiError) return error.payload;
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

/**
 * "Bake AMI": starts at once when settings already say which profile and region to use, and opens a small
 * dialog only for what is missing. Every error lands in that dialog, in words, until the person closes it.
 */
export function useStartBake(): {
  begin: (project?: string, environment?: string) => Promise<void>;
  busy: boolean;
  modal: ReactNode;
} {
  const [dialog, setDialog] = useState<StartDialog>({ kind: 'closed' });
  const [busy, setBusy] = useState(false);
  const navigate = useAppStore((s) => s.navigate);

  const openForm = (
    project: string | undefined,
    defaults: BakeDefaults,
    error?: AppErrorPayload,
    environment?: string,
  ) =>
    setDialog({
      kind: 'form',
      ...(project ? { project } : {}),
      ...(environment ? { environment } : {}),
      defaults,
      ...(error ? { error } : {}),
    });

  /** Starts the bake; an error comes back as a payload for the dialog instead of being thrown. */
  const start = async (
    request: BakeStartRequest,
    remember: boolean,
  ): Promise<AppErrorPayload | undefined> => {
    try {
      const record = await unwrap(api.bake.start(request));
      if (remember && (request.profile || request.region)) {
        await api.settings.update({
          ...(request.profile ? { profile: request.profile } : {}),
          ...(request.region ? { region: request.region } : {}),
        });
      }
      setDialog({ kind: 'closed' });
      await navigate({ page: 'bake', id: record.id });
      return undefined;
    } catch (error) {
      const payload = asPayload(error);
      if (payload.code === 'CONFLICT' && payload.details?.reason === 'identical') {
        setDialog({ kind: 'conflict', request, error: payload, remember });
      }
      return payload;
    }
  };

  const begin = async (project?: string, environment?: string) => {
    setBusy(true);
    try {
      const defaults = await unwrap(api.bake.getDefaults(project ? { project } : {}));
      const environments = project ? (defaults.environments?.[project] ?? []) : [];
      // Bake again of an environment the project no longer defines: say so and ask, never fall back
      // silently to the project's own values (another instance profile, other secrets).
      if (project && environment && !environments.some((e) => e.name === environment))
        return openForm(project, defaults, {
          code: 'INVALID_INPUT',
          message: `That bake was of environment ${environment}, which ${project} no longer defines. Choose what to bake.`,
        });
      // A project with named environments always asks which one: no silent default for prod.
      if (!project || !defaults.profile || !defaults.region || environments.length > 0)
        return openForm(project, defaults, undefined, environment);
      const error = await start({ project }, false);
      if (error && !(error.code === 'CONFLICT' && error.details?.reason === 'identical')) {
        openForm(project, defaults, error);
      }
    } catch (error) {
      openForm(project, { profiles: [], projects: project ? [project] : [] }, asPayload(error));
    } finally {
      setBusy(false);
    }
  };

  const submit = async (choice: StartBakeChoice): Promise<AppErrorPayload | undefined> => {
    const request: BakeStartRequest = {
      project: choice.project,
      profile: choice.profile,
      ...(choice.region ? { region: choice.region } : {}),
      ...(choice.environment ? { environment: choice.environment } : {}),
    };
    return start(request, choice.remember);
  };

  // Mounted from its first opening on, so closing it still plays the modal's transition.
  const [opened, setOpened] = useState(false);
  if (dialog.kind !== 'closed' && !opened) setOpened(true);
  const modal = opened ? (
    <Suspense fallback={null}>
      <StartBakeModal
        dialog={dialog}
        onClose={() => setDialog({ kind: 'closed' })}
        onSubmit={submit}
        onForce={(request, remember) => start({ ...request, force: true }, remember)}
      />
    </Suspense>
  ) : null;
  return { begin, busy, modal };
}
