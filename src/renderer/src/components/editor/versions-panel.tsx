import {
  Alert,
  Button,
  EmptyState,
  Group,
  Loader,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconArrowsDiff, IconHistory, IconTrashX } from '@tabler/icons-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { VersionSummary } from '../../../../shared/ipc/versions.contract';
import { scriptLanguage } from '../../../../shared/script-diagnostics';
import { api, errorMessage, unwrap } from '../../api';
import { EnvironmentBadge } from '../bake/environment-badge';
import { SimulatedBadge } from '../bake/status-badge';
import { DeployButton } from '../deploy/deploy-button';
import { DeploymentsTable } from '../deploy/deployments-table';
import { formatDateTime } from '../project/format';
import { PruneModal } from '../lifecycle/prune-modal';
import { VersionRegions } from '../lifecycle/version-regions';
import { AmiCell } from '../project/last-bake-cell';
import { ScriptDiff } from './script-diff';

/** 'current' is what the editor holds now (saved or not); numbers are versions. */
type Side = 'current' | number;
const CURRENT = 'current';

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** Every version of the project, newest first, and the difference between any two scripts. */
export function VersionsPanel({
  project,
  currentScript,
  retains,
}: {
  project: string;
  currentScript: string;
  /** The project has retention rules: a prune can be planned from here. */
  retains: boolean;
}) {
  const [versions, setVersions] = useState<VersionSummary[]>();
  const [pruning, setPruning] = useState(false);
  const [pruned, setPruned] = useState(0);
  const onPruned = useCallback(() => setPruned((n) => n + 1), []);
  const [error, setError] = useState<string>();
  const [from, setFrom] = useState<Side>();
  const [to, setTo] = useState<Side>(CURRENT);
  const [scripts, setScripts] = useState<Record<number, string>>({});
  const requested = useRef(new Set<number>());

  useEffect(() => {
    let live = true;
    unwrap(api.versions.list({ project, limit: 200 })).then(
      (list) => {
        if (!live) return;
        setVersions(list);
        // Default: what changed since the newest version, or between the last two when nothing is being edited.
        if (list[0]) setFrom(list[0].version);
      },
      (e: unknown) => live && setError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [project, pruned]);

  const wanted = useMemo(() => [from, to].filter((s): s is number => typeof s === 'number'), [from, to]);
  useEffect(() => {
    for (const version of wanted) {
      if (requested.current.has(version)) continue;
      requested.current.add(version);
      void unwrap(api.versions.get({ project, version })).then(
        (v) => setScripts((s) => ({ ...s, [version]: v.initScript })),
        (e: unknown) => setError(errorMessage(e)),
      );
    }
  }, [wanted, project]);

  if (error)
    return (
      <Alert color="red" title="Could not read the versions">
        {error}
      </Alert>
    );
  if (!versions) return <Loader aria-label="Loading versions" />;
  if (versions.length === 0) {
    return (
      <Paper withBorder p="xl">
        <EmptyState
          icon={<IconHistory size={32} aria-hidden />}
          withIndicatorBackground
          title="No versions yet"
          description="Every successful bake records a version here: its AMI, its script, and how long each step took."
        />
      </Paper>
    );
  }

  const options = [
    { value: CURRENT, label: 'Current editor (unsaved changes included)' },
    ...versions.map((v) => ({
      value: String(v.version),
      label: `Version ${v.version} · ${formatDateTime(v.createdAt)}`,
    })),
  ];
  const textOf = (side: Side | undefined) =>
    side === CURRENT ? currentScript : side === undefined ? undefined : scripts[side];
  const original = textOf(from);
  const modified = textOf(to);
  const parse = (value: string | null): Side | undefined =>
    value === null ? undefined : value === CURRENT ? CURRENT : Number(value);

  return (
    <Stack gap="md">
      <PruneModal project={project} opened={pruning} onClose={() => setPruning(false)} onPruned={onPruned} />
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {retains
            ? 'Prune retires old images by the project’s retention rules, in every region, never one in use.'
            : 'Add retention rules on the Delivery tab to retire old images from here.'}
        </Text>
        <Button
          size="xs"
          variant="light"
          color="red"
          leftSection={<IconTrashX size={14} aria-hidden />}
          disabled={!retains}
          onClick={() => setPruning(true)}
        >
          Prune old images…
        </Button>
      </Group>
      <Paper withBorder>
        <Table.ScrollContainer minWidth={1000}>
          <Table verticalSpacing="xs" highlightOnHover aria-label="Versions">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Version</Table.Th>
                <Table.Th>AMI</Table.Th>
                <Table.Th>Baked</Table.Th>
                <Table.Th>Where</Table.Th>
                <Table.Th>Regions</Table.Th>
                <Table.Th>Base image · type</Table.Th>
                <Table.Th>Took</Table.Th>
                <Table.Th aria-label="Actions" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {versions.map((v) => (
                <Table.Tr key={v.version}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <Group gap={6} wrap="nowrap">
                      <Text fw={600} size="sm">
                        v{v.version}
                      </Text>
                      {v.simulated && <SimulatedBadge size="xs" />}
                      <EnvironmentBadge environment={v.environment} size="xs" />
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <AmiCell imageId={v.imageId} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(v.createdAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {v.profile} · {v.region}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <VersionRegions version={v} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace">
                      {v.baseImageId} · {v.instanceType}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDuration(v.durationMs)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <DeployButton project={project} version={v.version} size="md" variant="subtle" compact />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      <DeploymentsTable project={project} />
      <Paper withBorder p="md">
        <Stack gap="sm">
          <Group justify="space-between" align="flex-end">
            <Title order={3} size="h5">
              Compare scripts
            </Title>
            <Button
              size="xs"
              variant="light"
              leftSection={<IconArrowsDiff size={14} aria-hidden />}
              onClick={() => {
                setFrom(versions[0]!.version);
                setTo(CURRENT);
              }}
            >
              Draft vs latest version
            </Button>
          </Group>
          <Group grow>
            <Select
              label="From"
              data={options}
              value={from === undefined ? null : String(from)}
              onChange={(v) => setFrom(parse(v))}
              allowDeselect={false}
            />
            <Select
              label="To"
              data={options}
              value={String(to)}
              onChange={(v) => setTo(parse(v) ?? CURRENT)}
              allowDeselect={false}
            />
          </Group>
          {original !== undefined && modified !== undefined ? (
            <>
              {original === modified && (
                <Text size="sm" c="dimmed" role="status">
                  The two scripts are identical.
                </Text>
              )}
              <div
                style={{
                  border: '1px solid var(--mantine-color-default-border)',
                  borderRadius: 'var(--mantine-radius-sm)',
                  overflow: 'hidden',
                }}
              >
                <ScriptDiff
                  original={original}
                  modified={modified}
                  originalPath={`inmemory://quadraxis/${project}/from`}
                  modifiedPath={`inmemory://quadraxis/${project}/to`}
                  language={scriptLanguage(modified)}
                  height={380}
                />
              </div>
            </>
          ) : (
            <Loader size="sm" aria-label="Loading scripts" />
          )}
        </Stack>
      </Paper>
    </Stack>
  );
}
