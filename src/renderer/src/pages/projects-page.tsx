import { EmptyState, Paper } from '@mantine/core';
import { IconBox } from '@tabler/icons-react';
import { PageHeader } from '../components/page-header';

export function ProjectsPage() {
  return (
    <>
      <PageHeader
        title="Projects"
        description="A project is a base image, an init script and launch settings; every bake records a new version."
      />
      <Paper withBorder p="xl">
        <EmptyState
          icon={<IconBox size={32} aria-hidden />}
          withIndicatorBackground
          title="No projects yet"
          description="Projects you create or import appear here, each with its last bake."
        />
      </Paper>
    </>
  );
}
