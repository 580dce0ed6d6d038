import { Alert, Button, EmptyState, Group, Loader, Paper, Select } from '@mantine/core';
import { IconServerOff, IconFlame, IconStack2 } from '@tabler/icons-react';
import { useEffect, useMemo, useState } from 'react';
import { BakeStatusSchema, type BakeRecord, type BakeStatus } from '../../../shared/bake';
import { STATUS_META } from '../components/bake/bake-format';
import { BakesTable } from '../components/bake/bakes-table';
import { SweepModal } from '../components/bake/sweep-modal';
import { useStartBake } from '../components/bake/use-start-bake';
import { PageHeader } from '../components/page-header';
import { bakeOrder, loadBakeList, matches, useBakesStore, type BakeListFilter } from '../state/bakes-store';

const STATUS_OPTIONS = [
  { value: '', label: 'Any status' },
  ...BakeStatusSchema.options.map((status) => ({ value: status, label: STATUS_META[status].label })),
];

export function BakesPage() {
  const list = useBakesStore((s) => s.list);
  const records = useBakesStore((s) => s.records);
  const { begin, busy, modal } = useStartBake();
  const [sweeping, setSweeping] = useState(false);

  useEffect(() => {
    void loadBakeList(useBakesStore.getState().list.filter);
  }, []);

  const shown = useMemo(
    () =>
      list.ids
        .map((id) => records[id])
        .filter((r): r is BakeRecord => r !== undefined && matches(r, list.filter))
        .sort(bakeOrder),
    [list.ids, list.filter, records],
  );
  const projects = useMemo(() => {
    const names = new Set(Object.values(records).map((r) => r.project));
    if (list.filter.project) names.add(list.filter.project);
    return [...names].sort((a, b) => a.localeCompare(b));
  }, [records, list.filter.project]);

  const setFilter = (patch: BakeListFilter) => {
    const next: BakeListFilter = { ...list.filter, ...patch };
    if (!next.project) delete next.project;
    if (!next.status) delete next.status;
    void loadBakeList(next);
  };
  const filtered = Boolean(list.filter.project || list.filter.status);

  return (
    <>
      <PageHeader
        title="Bakes"
        description="Running and past bakes across all projects."
        actions={
          <Group gap="sm">
            <Button
              variant="default"
              leftSection={<IconServerOff size={16} aria-hidden />}
              onClick={() => setSweeping(true)}
            >
              Leftover builders…
            </Button>
            <Button
              leftSection={<IconFlame size={16} aria-hidden />}
              loading={busy}
              onClick={() => void begin()}
            >
              New bake
            </Button>
          </Group>
        }
      />
      {modal}
      <SweepModal opened={sweeping} onClose={() => setSweeping(false)} />
      <Group gap="sm" mb="md">
        <Select
          aria-label="Filter by status"
          data={STATUS_OPTIONS}
          value={list.filter.status ?? ''}
          onChange={(value) => setFilter({ status: (value || undefined) as BakeStatus | undefined })}
          allowDeselect={false}
          w={180}
        />
        <Select
          aria-label="Filter by project"
          data={[{ value: '', label: 'Any project' }, ...projects.map((p) => ({ value: p, label: p }))]}
          value={list.filter.project ?? ''}
          onChange={(value) => setFilter({ project: value || undefined })}
          allowDeselect={false}
          searchable
          w={220}
        />
        {list.loading && <Loader size="xs" aria-label="Loading bakes" />}
      </Group>
      {list.error && (
        <Alert color="red" title="Bakes could not be listed" mb="md" role="alert">
          {list.error}
        </Alert>
      )}
      {shown.length > 0 ? (
        <Paper withBorder>
          <BakesTable records={shown} />
        </Paper>
      ) : (
        list.loaded && (
          <Paper withBorder p="xl">
            <EmptyState
              icon={<IconStack2 size={32} aria-hidden />}
              withIndicatorBackground
              title={filtered ? 'No bakes match these filters' : 'No bakes yet'}
              description={
                filtered
                  ? 'Try another status or project.'
                  : 'When you bake a project, its progress shows here step by step.'
              }
            />
          </Paper>
        )
      )}
    </>
  );
}
