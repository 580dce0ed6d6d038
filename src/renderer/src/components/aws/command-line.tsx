import { ActionIcon, Code, CopyButton, Group, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';

/** A shell command to run, with a copy button. */
export function CommandLine({ command }: { command: string }) {
  return (
    <Group gap={4} wrap="nowrap" align="center">
      <Code block style={{ flex: 1 }} aria-label="Command to run">
        {command}
      </Code>
      <CopyButton value={command}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : 'Copy command'}>
            <ActionIcon variant="subtle" onClick={copy} aria-label="Copy command">
              {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}
