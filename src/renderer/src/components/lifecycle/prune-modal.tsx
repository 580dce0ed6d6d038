import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  List,
  Loader,
  Modal,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import type { PruneImage, PruneOutcome, PrunePlan, PruneReport } from '../../../../shared/lifecycle';
import { api, errorMessage, unwrap } from '../../api';
import { useAppStore } from '../../state/app-store';
import { EnvironmentBadge } from '../bake/environment-badge';
import { formatDateTime } from '../project/format';

type Phase =
  | { kind: 'planning' }
  | { kind: 'plan'; plan: PrunePlan }
  | { kind: 'pruning'; plan: PrunePlan; jobId?: string; outcomes: PruneOutcome[] }
  | { kind: 'done'; report: PruneReport }
  | { kind: 'error'; message: string };

/**
 * The Versions tab's prune: the same plan `quadraxis prune --dry-run` prints — every image of the project in
 * every region, what happens to it and why — with the images to retire ticked; nothing happens until the
 * person confirms, and then only to ticked images the prune still finds retirable.
 */
export function PruneModal({
  project,
  opened,
  onClose,
  onPruned,
}: {
  project: string;
  opened: boolean;
  onClose: () => void;
  onPruned: () => void;
}) {
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={opened}
      onClose={onClose}
      title={`Prune ${project}`}
      size="90%"
      centered
    >
      {opened && <PruneBody project={project} onClose={onClose} onPruned={onPruned} />}
    </Modal>
  );
}

function PruneBody({
  project,
  onClose,
  onPruned,
}: {
  project: string;
  onClose: () => void;
  onPruned: () => void;
}) {
  const profile = useAppStore((s) => s.settings?.profile);
  const [phase, setPhase] = useState<Phase>({ kind: 'planning' });
  const [ticked, setTicked] = useState<string[]>([]);

  useEffect(() => {
    if (!profile) return;
    let live = true;
    unwrap(api.lifecycle.plan({ project, profile })).then(
      (plan) => {
        if (!live) return;
        setPhase({ kind: 'plan', plan });
        setTicked(plan.images.filter((i) => i.action !== 'keep').map((i) => i.imageId));
      },
      (error: unknown) => live && setPhase({ kind: 'error', message: errorMessage(error) }),
    );
    return () => {
      live = false;
    };
  }, [project, profile]);

  const jobId = phase.kind === 'pruning' ? phase.jobId : undefined;
  useEffect(() => {
    if (!jobId) return;
    return api.lifecycle.onProgress((event) => {
      if (event.jobId !== jobId) return;
      if (event.type === 'outcome')
        setPhase((now) =>
          now.kind === 'pruning' ? { ...now, outcomes: [...now.outcomes, event.outcome] } : now,
        );
      else if (event.type === 'finished') {
        setPhase({ kind: 'done', report: event.report });
        onPruned();
      } else setPhase({ kind: 'error', message: event.error.message });
    });
  }, [jobId, onPruned]);

  if (!profile)
    return <Text size="sm">Choose an AWS profile in the header first: the prune runs in its account.</Text>;
  if (phase.kind === 'planning')
    return (
      <Group gap="sm">
        <Loader size="sm" aria-label="Making the plan" />
        <Text size="sm">Looking at {project}’s images in every region and at what uses them…</Text>
      </Group>
    );
  if (phase.kind === 'error')
    return (
      <Alert color="red" title="Could not prune">
        {phase.message}
      </Alert>
    );
  if (phase.kind === 'done') return <PruneDone report={phase.report} onClose={onClose} />;

  const { plan } = phase;
  const going = plan.images.filter((i) => i.action !== 'keep');
  const confirmed = going.filter((i) => ticked.includes(i.imageId));
  const start = async () => {
    setPhase({ kind: 'pruning', plan, outcomes: [] });
    try {
      const { jobId: started } = await unwrap(
        api.lifecycle.prune({ project, profile, imageIds: confirmed.map((i) => i.imageId) }),
      );
      setPhase((now) => (now.kind === 'pruning' ? { ...now, jobId: started } : now));
    } catch (error) {
      setPhase({ kind: 'error', message: errorMessage(error) });
    }
  };
  const snapshots = confirmed.reduce((n, i) => n + i.snapshotIds.length, 0);

  return (
    <Stack gap="md">
      <Text size="sm">{rulesSentence(plan)}</Text>
      {plan.unfinished && (
        <Alert color="yellow" title="An interrupted prune is finished first">
          Started {formatDateTime(plan.unfinished.startedAt)}:{' '}
          {plan.unfinished.pending.map((p) => `${p.imageId} (${p.region})`).join(', ')}. Each is checked again
          for use before anything is done.
        </Alert>
      )}
      {plan.problems.map((p) => (
        <Alert key={p.region} color="orange" title={`${p.region} could not be looked at`}>
          {p.message} Nothing there is touched.
        </Alert>
      ))}
      <PlanTable
        plan={plan}
        ticked={ticked}
        disabled={phase.kind === 'pruning'}
        outcomes={phase.kind === 'pruning' ? phase.outcomes : []}
        onTick={(id, on) => setTicked((now) => (on ? [...now, id] : now.filter((x) => x !== id)))}
      />
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {going.length === 0
            ? 'Nothing to retire: every image stays, for the reasons shown.'
            : `Deregistering an image cannot be undone; its ${snapshots === 1 ? 'snapshot is' : 'snapshots are'} deleted after it.`}
        </Text>
        <Group>
          <Button variant="default" onClick={onClose} disabled={phase.kind === 'pruning'}>
            {going.length === 0 ? 'Close' : 'Cancel'}
          </Button>
          {going.length > 0 && (
            <Button
              color="red"
              disabled={confirmed.length === 0}
              loading={phase.kind === 'pruning'}
              onClick={() => void start()}
            >
              Retire {confirmed.length} {confirmed.length === 1 ? 'image' : 'images'}
            </Button>
          )}
        </Group>
      </Group>
    </Stack>
  );
}

function rulesSentence(plan: PrunePlan): string {
  // Retention ranks each environment's images on their own: say so where the plan has any.
  const each = plan.images.some((i) => i.environment !== undefined)
    ? 'of each environment in each region'
    : 'in each region';
  const rules = [
    plan.rules.keep !== undefined ? `the newest ${plan.rules.keep} ${each}` : '',
    plan.rules.maxAgeDays !== undefined ? `those younger than ${plan.rules.maxAgeDays} days` : '',
  ].filter(Boolean);
  const grace =
    plan.rules.disableForDays !== undefined
      ? ` Retired images are disabled first and deregistered ${plan.rules.disableForDays} days later.`
      : '';
  return `Keeps ${rules.join(' and ')}, and anything in use, in ${plan.regions.join(', ')}.${grace}`;
}

const ACTION: Record<PruneImage['action'], { label: string; color: string }> = {
  keep: { label: 'Keep', color: 'teal' },
  deregister: { label: 'Retire', color: 'red' },
  disable: { label: 'Disable', color: 'orange' },
};

function PlanTable({
  plan,
  ticked,
  disabled,
  outcomes,
  onTick,
}: {
  plan: PrunePlan;
  ticked: string[];
  disabled: boolean;
  outcomes: PruneOutcome[];
  onTick: (imageId: string, on: boolean) => void;
}) {
  const byImage = useMemo(() => new Map(outcomes.map((o) => [o.imageId, o])), [outcomes]);
  if (plan.images.length === 0)
    return (
      <Text size="sm">
        {plan.project} has no images in {plan.regions.join(', ')}.
      </Text>
    );
  return (
    <Table striped verticalSpacing="xs" aria-label="Prune plan">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={40} />
          <Table.Th>Region</Table.Th>
          <Table.Th>Image</Table.Th>
          <Table.Th>Version</Table.Th>
          <Table.Th>Created</Table.Th>
          <Table.Th>Action</Table.Th>
          <Table.Th>Why</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {plan.images.map((image) => {
          const done = byImage.get(image.imageId);
          return (
            <Table.Tr key={`${image.region}-${image.imageId}`}>
              <Table.Td>
                {image.action !== 'keep' && (
                  <Checkbox
                    aria-label={`Retire ${image.imageId} in ${image.region}`}
                    checked={ticked.includes(image.imageId)}
                    disabled={disabled}
                    onChange={(event) => onTick(image.imageId, event.currentTarget.checked)}
                  />
                )}
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{image.region}</Table.Td>
              <Table.Td>
                <Code style={{ whiteSpace: 'nowrap' }}>{image.imageId}</Code>
              </Table.Td>
              <Table.Td>
                {/* Stacked, so neither the version nor the environment's name is ever cut short. */}
                <Stack gap={2} align="flex-start">
                  <Text size="sm">{image.version !== undefined ? `v${image.version}` : '—'}</Text>
                  <EnvironmentBadge environment={image.environment} size="sm" />
                </Stack>
              </Table.Td>
              <Table.Td>
                <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                  {formatDateTime(image.createdAt)}
                </Text>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Badge
                  color={ACTION[image.action].color}
                  variant="light"
                  // A badge may shrink to an ellipsis in a crowded table: the action never should.
                  miw="max-content"
                >
                  {ACTION[image.action].label}
                </Badge>
                {done && (
                  <Text size="xs" c={done.result === 'failed' ? 'red' : 'dimmed'} role="status">
                    {done.result}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <List size="xs" spacing={0}>
                  {image.reasons.map((reason) => (
                    <List.Item key={reason}>{reason}</List.Item>
                  ))}
                </List>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

function PruneDone({ report, onClose }: { report: PruneReport; onClose: () => void }) {
  const failed = report.outcomes.filter((o) => o.result === 'failed');
  const retired = report.outcomes.filter((o) => o.result === 'deregistered' || o.result === 'disabled');
  const kept = report.outcomes.filter((o) => o.result === 'skipped');
  return (
    <Stack gap="md">
      <Alert
        color={failed.length > 0 ? 'red' : 'teal'}
        title={failed.length > 0 ? 'Some images could not be retired' : `Pruned ${report.plan.project}`}
      >
        <Stack gap={4}>
          {retired.map((o) => (
            <Text size="sm" key={o.imageId}>
              {o.result === 'disabled' ? 'Disabled' : 'Deregistered'} {o.imageId} in {o.region}
              {o.snapshotsDeleted.length > 0 ? `, deleted ${o.snapshotsDeleted.join(', ')}` : ''}
              {o.resumed ? ' (finishing an interrupted prune)' : ''}.
            </Text>
          ))}
          {kept.map((o) => (
            <Text size="sm" key={o.imageId}>
              Kept {o.imageId} in {o.region}: {o.message}.
            </Text>
          ))}
          {failed.map((o) => (
            <Text size="sm" key={o.imageId}>
              {o.imageId} in {o.region}: {o.message} The next prune carries it on.
            </Text>
          ))}
          {report.outcomes.length === 0 && <Text size="sm">Nothing was retired.</Text>}
        </Stack>
      </Alert>
      <Group justify="flex-end">
        <Button onClick={onClose}>Close</Button>
      </Group>
    </Stack>
  );
}
