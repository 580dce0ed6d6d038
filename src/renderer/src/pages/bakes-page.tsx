import { EmptyState, Paper } from '@mantine/core';
import { IconStack2 } from '@tabler/icons-react';
import { PageHeader } from '../components/page-header';

export function BakesPage() {
  return (
    <>
      <PageHeader title="Bakes" description="Running and past bakes across all projects." />
      <Paper withBorder p="xl">
        <EmptyState
          icon={<IconStack2 size={32} aria-hidden />}
          withIndicatorBackground
          title="No bakes yet"
          description="When you bake a project, its progress shows here step by step."
        />
      </Paper>
    </>
  );
}
