import { Alert, Button, Loader } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { Draft } from '../../../shared/ipc/drafts.contract';
import type { ProjectEntry } from '../../../shared/ipc/projects.contract';
import { api, ApiError, errorMessage, unwrap } from '../api';
import { PageHeader } from '../components/page-header';
import { ProjectEditor } from '../components/project/project-editor';
import { useAppStore } from '../state/app-store';

type Load =
  | { status: 'loading' }
  | { status: 'ready'; entry: ProjectEntry; draft: Draft | null }
  | { status: 'error'; message: string; missing: boolean };

/** One project: its form, init-script editor, versions and AWS access. */
export function ProjectPage({ name }: { name: string }) {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const navigate = useAppStore((s) => s.navigate);

  useEffect(() => {
    let live = true;
    Promise.all([unwrap(api.projects.get(name)), unwrap(api.drafts.get(name))]).then(
      ([entry, draft]) => live && setLoad({ status: 'ready', entry, draft }),
      (error: unknown) =>
        live &&
        setLoad({
          status: 'error',
          message: errorMessage(error),
          missing: error instanceof ApiError && error.code === 'NOT_FOUND',
        }),
    );
    return () => {
      live = false;
    };
  }, [name]);

  if (load.status === 'loading') return <Loader aria-label="Loading project" />;
  if (load.status === 'error') {
    return (
      <>
        <PageHeader title={name} />
        <Alert color="red" title={load.missing ? 'No such project' : 'Could not open the project'}>
          {load.message}
          <Button
            mt="sm"
            size="xs"
            variant="default"
            display="block"
            onClick={() => void navigate({ page: 'projects' })}
          >
            Back to projects
          </Button>
        </Alert>
      </>
    );
  }
  return <ProjectEditor entry={load.entry} draft={load.draft} />;
}
