import { Alert, Button, EmptyState, Group, Loader, Paper, TextInput } from '@mantine/core';
import { IconBox, IconPlus, IconSearch } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { api } from '../api';
import { filterProjects } from '../components/project/format';
import { ImportProjectButton } from '../components/project/import-project';
import { NewProjectModal } from '../components/project/new-project-modal';
import { ProjectsTable } from '../components/project/projects-table';
import { PageHeader } from '../components/page-header';
import { useProjectsStore } from '../state/projects-store';

export function ProjectsPage() {
  const { items, error, query, setQuery, load } = useProjectsStore();
  const [creating, setCreating] = useState(false);

  useEffect(() => {
    void load();
    // The CLI writes the same files without telling this window: coming back to it reads them again.
    const onFocus = () => void load();
    window.addEventListener('focus', onFocus);
    const off = api.projects.onChanged(() => void load());
    return () => {
      off();
      window.removeEventListener('focus', onFocus);
    };
  }, [load]);

  const shown = items ? filterProjects(items, query) : [];
  return (
    <>
      <PageHeader
        title="Projects"
        description="A project is a base image, an init script and launch settings; every bake records a new version."
        actions={
          <>
            <ImportProjectButton />
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)}>
              New project
            </Button>
          </>
        }
      />
      <NewProjectModal opened={creating} onClose={() => setCreating(false)} />
      {error && (
        <Alert color="red" title="Could not read the projects" mb="md">
          {error}
        </Alert>
      )}
      {!items && !error && <Loader aria-label="Loading projects" />}
      {items && items.length === 0 && (
        <Paper withBorder p="xl">
          <EmptyState
            icon={<IconBox size={32} aria-hidden />}
            withIndicatorBackground
            title="No projects yet"
            description="Start from a template (Amazon Linux with nginx, Ubuntu with Docker, or blank), or import a quadraxis.yaml."
          >
            <Group justify="center" mt="md">
              <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)}>
                New project
              </Button>
            </Group>
          </EmptyState>
        </Paper>
      )}
      {items && items.length > 0 && (
        <Paper withBorder>
          <Group p="sm" pb={0}>
            <TextInput
              aria-label="Search projects"
              placeholder="Search by name or description"
              leftSection={<IconSearch size={16} aria-hidden />}
              value={query}
              onChange={(event) => setQuery(event.currentTarget.value)}
              w={360}
            />
          </Group>
          {shown.length > 0 ? (
            <ProjectsTable items={shown} />
          ) : (
            <EmptyState
              p="xl"
              title="No matches"
              description={`No project name or description contains “${query}”.`}
            />
          )}
        </Paper>
      )}
    </>
  );
}
