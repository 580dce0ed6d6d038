import {
  Alert,
  Button,
  Checkbox,
  Code,
  CopyButton,
  Group,
  List,
  Loader,
  Paper,
  ScrollArea,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { GeneratedPolicy } from '../../../../shared/aws';
import type { PolicyAnswer } from '../../../../shared/ipc/aws.contract';
import type { ProjectInput } from '../../../../shared/project';
import { api, errorMessage, unwrap } from '../../api';

/** The least-privilege IAM policy for baking this project, to copy into IAM, with why each statement exists. */
export function PolicyPanel({ project }: { project?: ProjectInput }) {
  const [forms, setForms] = useState(true);
  const [answer, setAnswer] = useState<PolicyAnswer>();
  const [error, setError] = useState<string>();
  const request = project ? JSON.stringify({ project, forms }) : undefined;

  useEffect(() => {
    if (!request) return;
    let live = true;
    unwrap(api.aws.policy(JSON.parse(request) as { project: ProjectInput; forms: boolean })).then(
      (value) => {
        if (!live) return;
        setAnswer(value);
        setError(undefined);
      },
      (e: unknown) => {
        if (live) setError(errorMessage(e));
      },
    );
    return () => {
      live = false;
    };
  }, [request]);

  const json = answer ? JSON.stringify(answer.policy, null, 2) : '';
  return (
    <Paper withBorder p="md" component="section" aria-label="IAM policy">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <div>
            <Title order={3} size="h5">
              IAM policy
            </Title>
            <Text size="xs" c="dimmed">
              {answer?.accountId
                ? `Scoped to account ${answer.accountId} in ${answer.region ?? 'any region'}.`
                : 'What the identity that bakes this project needs, and nothing more.'}
            </Text>
          </div>
          <CopyButton value={json}>
            {({ copied, copy }) => (
              <Button
                variant={copied ? 'filled' : 'light'}
                color={copied ? 'teal' : undefined}
                leftSection={
                  copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />
                }
                onClick={copy}
                disabled={!answer}
              >
                {copied ? 'Copied' : 'Copy policy'}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Checkbox
          label="Also allow the read-only calls this app's project form makes (image, type, VPC, subnet and key pair lists)"
          checked={forms}
          onChange={(event) => setForms(event.currentTarget.checked)}
        />
        {answer?.note && (
          <Alert color="yellow" variant="light">
            {answer.note}
          </Alert>
        )}
        {error && <Alert color="red">{error}</Alert>}
        {!answer && !error && <Loader size="sm" aria-label="Generating the policy" />}
        {answer && (
          <>
            <ScrollArea.Autosize mah={360} type="auto">
              <Code block aria-label="Policy JSON">
                {json}
              </Code>
            </ScrollArea.Autosize>
            <Explanations items={answer.explanations} label="Why each statement" />
          </>
        )}
        {answer?.instanceRole && <InstanceRolePolicy policy={answer.instanceRole} />}
      </Stack>
    </Paper>
  );
}

function Explanations({ items, label }: { items: GeneratedPolicy['explanations']; label: string }) {
  return (
    <List size="sm" spacing={6} aria-label={label}>
      {items.map((e) => (
        <List.Item key={e.sid}>
          <Text span ff="monospace" fw={600} size="sm">
            {e.sid}
          </Text>
          : {e.text}
        </List.Item>
      ))}
    </List>
  );
}

/** The builder's own role: what resolving the env references on the builder needs, and nothing more. */
function InstanceRolePolicy({ policy }: { policy: GeneratedPolicy }) {
  const json = JSON.stringify(policy.policy, null, 2);
  return (
    <Stack gap="sm" mt="sm" component="section" aria-label="Instance-role policy">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={4} size="h6">
            Builder instance-role policy
          </Title>
          <Text size="xs" c="dimmed">
            For the role inside the project’s instance profile: the builder reads the env references with it.
          </Text>
        </div>
        <CopyButton value={json}>
          {({ copied, copy }) => (
            <Button
              size="xs"
              variant={copied ? 'filled' : 'light'}
              color={copied ? 'teal' : undefined}
              leftSection={copied ? <IconCheck size={14} aria-hidden /> : <IconCopy size={14} aria-hidden />}
              onClick={copy}
            >
              {copied ? 'Copied' : 'Copy instance-role policy'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <ScrollArea.Autosize mah={280} type="auto">
        <Code block aria-label="Instance-role policy JSON">
          {json}
        </Code>
      </ScrollArea.Autosize>
      <Explanations items={policy.explanations} label="Why each instance-role statement" />
    </Stack>
  );
}
