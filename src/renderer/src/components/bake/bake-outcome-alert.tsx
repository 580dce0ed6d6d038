import { Alert, Code, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconBan, IconCircleX } from '@tabler/icons-react';
import type { BakeRecord } from '../../../../shared/bake';
import { stripAnsi } from './ansi';
import { describeFailure } from './bake-format';

/** Enough to see how the script ended; the whole console is just below. */
const TAIL_SHOWN = 8;

const LOOK = {
  failed: { color: 'red', icon: <IconCircleX size={20} aria-hidden /> },
  cancelled: { color: 'gray', icon: <IconBan size={20} aria-hidden /> },
  interrupted: { color: 'yellow', icon: <IconAlertTriangle size={20} aria-hidden /> },
} as const;

/** A bake that did not succeed: where it stopped, why, the script's last words, and what was cleaned up. */
export function BakeOutcomeAlert({ record }: { record: BakeRecord }) {
  const summary = describeFailure(record);
  if (!summary || !(record.status in LOOK)) return null;
  const look = LOOK[record.status as keyof typeof LOOK];
  return (
    <Alert
      color={look.color}
      icon={look.icon}
      title={summary.title}
      role="alert"
      aria-label={summary.title}
      // Lets the console tail scroll sideways inside the alert instead of widening it.
      styles={{ body: { minWidth: 0 } }}
    >
      <Stack gap="xs">
        {summary.sentences.map((text) => (
          <Text key={text} size="sm">
            {text}
          </Text>
        ))}
        {summary.consoleTail && (
          <>
            <Text size="sm" fw={500} mt={4}>
              Last lines of the builder’s console
            </Text>
            <Code
              block
              aria-label="Console tail"
              // These few lines are why the bake failed: wrap them rather than hide their ends off-screen.
              style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
            >
              {summary.consoleTail.slice(-TAIL_SHOWN).map(stripAnsi).join('\n')}
            </Code>
          </>
        )}
      </Stack>
    </Alert>
  );
}
