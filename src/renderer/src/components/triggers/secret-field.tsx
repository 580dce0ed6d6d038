import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { IconKey, IconRefresh } from '@tabler/icons-react';
import { useState } from 'react';
import { CopyBlock } from './copy-block';

/** How one of a project's two secrets is named and explained. */
export interface SecretKindText {
  /** "Token", "GitHub secret": the field's label. */
  label: string;
  /** The same within a sentence: "token", "GitHub secret". */
  inSentence: string;
  /** What it looks like masked: "qxt_". */
  prefix: string;
  /** What it is for, under the label. */
  purpose: string;
  /** Who stops working when it is regenerated. */
  regenerateWarning: string;
}

/**
 * One secret, shown once right after it is generated and masked after that (Quadraxis keeps only a hash
 * of the token, and the GitHub secret sealed). Regenerating asks first, because the old one stops working
 * at once; the project's other secret is not touched.
 */
export function SecretField({
  project,
  text,
  set,
  createdAt,
  problem,
  revealed,
  onGenerate,
}: {
  project: string;
  text: SecretKindText;
  set: boolean;
  createdAt?: number;
  problem?: string;
  revealed?: string;
  onGenerate: () => Promise<void>;
}) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const generate = async () => {
    setBusy(true);
    try {
      await onGenerate();
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };
  const lower = text.inSentence;

  return (
    <Stack gap="xs" data-secret={text.prefix}>
      {revealed ? (
        <>
          <CopyBlock label={text.label} value={revealed} />
          <Alert
            color="yellow"
            icon={<IconKey size={16} aria-hidden />}
            title={`Copy the ${lower} now`}
            p="xs"
          >
            It is shown only this once. {text.purpose}
          </Alert>
        </>
      ) : (
        <div>
          <Text size="sm" fw={500} mb={4}>
            {text.label}
          </Text>
          {set ? (
            <Text size="sm" aria-label={text.label}>
              <Text span ff="monospace">
                {text.prefix}••••••••••••
              </Text>{' '}
              <Text span c="dimmed" size="xs">
                {createdAt ? `generated ${new Date(createdAt).toLocaleString()}` : ''}
              </Text>
            </Text>
          ) : (
            <Text size="sm" c="dimmed" aria-label={text.label}>
              None yet. {text.purpose}
            </Text>
          )}
        </div>
      )}
      {problem && (
        <Alert color="orange" title={`This ${lower} cannot be used here`} p="xs">
          {problem}
        </Alert>
      )}
      <Group>
        {set ? (
          <Button
            variant="default"
            size="xs"
            leftSection={<IconRefresh size={14} aria-hidden />}
            onClick={() => setConfirming(true)}
          >
            {`Regenerate ${lower}…`}
          </Button>
        ) : (
          <Button
            size="xs"
            leftSection={<IconKey size={14} aria-hidden />}
            loading={busy}
            onClick={() => void generate()}
          >
            {`Generate ${lower}`}
          </Button>
        )}
      </Group>
      <Modal
        opened={confirming}
        onClose={() => setConfirming(false)}
        title={`Regenerate the ${lower} of ${project}?`}
        centered
      >
        <Stack gap="md">
          <Text size="sm">{text.regenerateWarning}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button color="red" loading={busy} onClick={() => void generate()}>
              Regenerate
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
