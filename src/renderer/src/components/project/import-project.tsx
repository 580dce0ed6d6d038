import { Alert, Button, Code, Group, List, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconFileImport } from '@tabler/icons-react';
import { useRef, useState } from 'react';
import type { ImportIssue } from '../../../../shared/ipc/projects.contract';
import { api, ApiError, errorMessage, unwrap } from '../../api';
import { useAppStore } from '../../state/app-store';

type Outcome =
  | { kind: 'invalid'; fileName: string; issues: ImportIssue[] }
  | { kind: 'exists'; fileName: string; text: string; project: string }
  | { kind: 'failed'; fileName: string; message: string };

const MAX_BYTES = 2 * 1024 * 1024;

/** Imports a quadraxis.yaml (or JSON) file; main validates it and answers problems by line. */
export function ImportProjectButton() {
  const input = useRef<HTMLInputElement>(null);
  const [outcome, setOutcome] = useState<Outcome>();
  const navigate = useAppStore((s) => s.navigate);

  const send = async (fileName: string, text: string, replace: boolean) => {
    try {
      const answer = await unwrap(api.projects.import({ fileName, text, replace }));
      if (answer.status === 'invalid')
        return setOutcome({ kind: 'invalid', fileName, issues: answer.issues });
      setOutcome(undefined);
      const { name } = answer.entry.project;
      notifications.show({
        color: 'teal',
        title: answer.replaced ? 'Project replaced' : 'Project imported',
        message: name,
      });
      await navigate({ page: 'project', name });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CONFLICT' && error.payload.details?.project) {
        return setOutcome({ kind: 'exists', fileName, text, project: error.payload.details.project });
      }
      setOutcome({ kind: 'failed', fileName, message: errorMessage(error) });
    }
  };

  const read = async (file: File) => {
    if (file.size > MAX_BYTES) {
      return setOutcome({
        kind: 'failed',
        fileName: file.name,
        message: 'The file is over 2 MB; a project file is much smaller.',
      });
    }
    await send(file.name, await file.text(), false);
  };

  return (
    <>
      <input
        ref={input}
        type="file"
        accept=".yaml,.yml,.json,application/json,application/yaml,text/yaml"
        hidden
        aria-label="Project file to import"
        onChange={(event) => {
          const file = event.currentTarget.files?.[0];
          event.currentTarget.value = '';
          if (file) void read(file);
        }}
      />
      <Button
        variant="default"
        leftSection={<IconFileImport size={16} aria-hidden />}
        onClick={() => input.current?.click()}
      >
        Import
      </Button>
      <Modal
        closeButtonProps={{ 'aria-label': 'Close' }}
        opened={outcome !== undefined}
        onClose={() => setOutcome(undefined)}
        title={
          outcome?.kind === 'exists' ? 'Replace project?' : `Could not import ${outcome?.fileName ?? ''}`
        }
        size="lg"
        centered
      >
        {outcome?.kind === 'invalid' && (
          <Stack gap="sm">
            <Text size="sm">Fix these in the file and import it again:</Text>
            <List size="sm" spacing={6} aria-label="Problems in the file">
              {outcome.issues.map((issue, i) => (
                <List.Item key={i}>
                  <Code>
                    line {issue.line}, column {issue.column}
                  </Code>{' '}
                  {issue.path && <b>{issue.path}: </b>}
                  {issue.message}
                </List.Item>
              ))}
            </List>
          </Stack>
        )}
        {outcome?.kind === 'failed' && <Alert color="red">{outcome.message}</Alert>}
        {outcome?.kind === 'exists' && (
          <Stack gap="md">
            <Text size="sm">
              A project named <b>{outcome.project}</b> already exists. Replacing it keeps its versions and
              bake history.
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOutcome(undefined)}>
                Cancel
              </Button>
              <Button color="red" onClick={() => void send(outcome.fileName, outcome.text, true)}>
                Replace {outcome.project}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}
