import { Alert, Button, Checkbox, Code, Group, Loader, Modal, Stack, Table, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { SweepReport } from '../../../../shared/ipc/sweep.contract';
import { api, errorMessage, unwrap } from '../../api';
import { useAppStore } from '../../state/app-store';
import { formatTime } from './bake-format';

type Phase =
  | { kind: 'looking' }
  | { kind: 'found'; report: SweepReport }
  | { kind: 'terminating'; report: SweepReport }
  | { kind: 'done'; report: SweepReport }
  | { kind: 'error'; message: string };

/**
 * "Find leftover builders": the builders tagged by Quadraxis in the header's account and region that no live
 * bake owns (a crash recovery could not reach, a process killed on another machine), ticked to terminate.
 */
export function SweepModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={opened}
      onClose={onClose}
      title="Leftover builders"
      size="xl"
      centered
    >
      {opened && <SweepBody onClose={onClose} />}
    </Modal>
  );
}

function SweepBody({ onClose }: { onClose: () => void }) {
  const profile = useAppStore((s) => s.settings?.profile);
  const region = useAppStore((s) => s.settings?.region);
  const [phase, setPhase] = useState<Phase>({ kind: 'looking' });
  const [ticked, setTicked] = useState<string[]>([]);
  const [openedAt] = useState(() => Date.now());

  useEffect(() => {
    if (!profile) return;
    let live = true;
    unwrap(api.sweep.builders({ profile, ...(region ? { region } : {}) })).then(
      (report) => {
        if (!live) return;
        setPhase({ kind: 'found', report });
        setTicked(report.found.map((c) => c.instanceId));
      },
      (error: unknown) => live && setPhase({ kind: 'error', message: errorMessage(error) }),
    );
    return () => {
      live = false;
    };
  }, [profile, region]);

  if (!profile) {
    return <Text size="sm">Choose an AWS profile in the header first: the search runs in its account.</Text>;
  }
  if (phase.kind === 'looking') {
    return (
      <Group gap="sm">
        <Loader size="sm" aria-label="Looking for leftover builders" />
        <Text size="sm">Looking for builders no bake owns in {profile}…</Text>
      </Group>
    );
  }
  if (phase.kind === 'error') {
    return (
      <Alert color="red" title="Could not look">
        {phase.message}
      </Alert>
    );
  }

  const { report } = phase;
  const terminate = async () => {
    setPhase({ kind: 'terminating', report });
    try {
      const done = await unwrap(api.sweep.builders({ profile, region: report.region, terminate: ticked }));
      setPhase({ kind: 'done', report: done });
    } catch (error) {
      setPhase({ kind: 'error', message: errorMessage(error) });
    }
  };
  const where = `${profile} · ${report.region}`;

  if (phase.kind === 'done') {
    return (
      <Stack gap="md">
        <Alert color={report.failed.length ? 'red' : 'teal'} title={doneTitle(report)}>
          {report.terminated.length > 0 && <Text size="sm">Terminated {report.terminated.join(', ')}.</Text>}
          {report.failed.map((f) => (
            <Text size="sm" key={f.instanceId}>
              {f.instanceId}: {f.message}
            </Text>
          ))}
        </Alert>
        <Group justify="flex-end">
          <Button onClick={onClose}>Close</Button>
        </Group>
      </Stack>
    );
  }

  return (
    <Stack gap="md">
      {report.found.length === 0 ? (
        <Alert color="teal" title="Nothing left behind">
          No builder in {where} is without a live bake
          {report.owned.length > 0 ? ` (${report.owned.length} belong to bakes running now).` : '.'}
        </Alert>
      ) : (
        <>
          <Text size="sm">
            {orphansSentence(report.found.length, where)}
            {report.owned.length > 0 &&
              ` ${report.owned.length} more belong to bakes running now and are left alone.`}
          </Text>
          <Table striped aria-label="Leftover builders">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={40} />
                <Table.Th>Instance</Table.Th>
                <Table.Th>Project</Table.Th>
                <Table.Th>Bake</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Launched</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.found.map((c) => (
                <Table.Tr key={c.instanceId}>
                  <Table.Td>
                    <Checkbox
                      aria-label={`Terminate ${c.instanceId}`}
                      checked={ticked.includes(c.instanceId)}
                      onChange={(event) => {
                        const on = event.currentTarget.checked;
                        setTicked((now) =>
                          on ? [...now, c.instanceId] : now.filter((id) => id !== c.instanceId),
                        );
                      }}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Code>{c.instanceId}</Code>
                  </Table.Td>
                  <Table.Td>{c.project ?? '—'}</Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace">
                      {c.bakeId ?? '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td>{c.state}</Table.Td>
                  <Table.Td>{c.launchedAt ? formatTime(c.launchedAt, openedAt) : '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          {report.found.length === 0 ? 'Close' : 'Cancel'}
        </Button>
        {report.found.length > 0 && (
          <Button
            color="red"
            disabled={ticked.length === 0}
            loading={phase.kind === 'terminating'}
            onClick={() => void terminate()}
          >
            Terminate {ticked.length} {ticked.length === 1 ? 'builder' : 'builders'}
          </Button>
        )}
      </Group>
    </Stack>
  );
}

function doneTitle(report: SweepReport): string {
  if (report.failed.length > 0) return 'Some builders could not be terminated';
  if (report.terminated.length === 0) return 'Nothing was terminated';
  return report.terminated.length === 1
    ? 'Builder terminated'
    : `${report.terminated.length} builders terminated`;
}

function orphansSentence(count: number, where: string): string {
  return count === 1
    ? `This builder in ${where} carries Quadraxis's builder tag, but no live bake owns it. It costs money as long as it exists.`
    : `These ${count} builders in ${where} carry Quadraxis's builder tag, but no live bake owns them. They cost money as long as they exist.`;
}
