import { Button, Group, Paper, Stack, Text, ThemeIcon, UnstyledButton } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconCircleX, IconInfoCircle } from '@tabler/icons-react';
import type { ScriptDiagnostic } from '../../../../shared/script-diagnostics';
import { QUICK_FIXES } from './quick-fixes';

const ICONS = {
  error: { icon: IconCircleX, color: 'red', label: 'Error' },
  warning: { icon: IconAlertTriangle, color: 'yellow', label: 'Warning' },
  info: { icon: IconInfoCircle, color: 'blue', label: 'Note' },
} as const;

export function DiagnosticsList({
  diagnostics,
  onReveal,
  onFix,
}: {
  diagnostics: readonly ScriptDiagnostic[];
  onReveal: (d: ScriptDiagnostic) => void;
  onFix: (apply: (script: string) => string) => void;
}) {
  if (diagnostics.length === 0) {
    return (
      <Group gap={6} role="status" aria-label="Script problems">
        <IconCircleCheck size={16} color="var(--mantine-color-teal-6)" aria-hidden />
        <Text size="sm" c="dimmed">
          No problems found in the script.
        </Text>
      </Group>
    );
  }
  return (
    <Paper withBorder radius="sm">
      <Stack gap={0} role="list" aria-label="Script problems">
        {diagnostics.map((d, i) => {
          const meta = ICONS[d.severity];
          const fix = QUICK_FIXES[d.code];
          return (
            <Group
              key={`${d.code}-${d.line}-${i}`}
              role="listitem"
              wrap="nowrap"
              align="flex-start"
              gap="sm"
              px="sm"
              py={8}
              style={{ borderTop: i === 0 ? undefined : '1px solid var(--mantine-color-default-border)' }}
              data-code={d.code}
              data-severity={d.severity}
            >
              <ThemeIcon variant="transparent" color={meta.color} size="sm" aria-label={meta.label}>
                <meta.icon size={16} />
              </ThemeIcon>
              <UnstyledButton onClick={() => onReveal(d)} style={{ flex: 1 }} aria-label={d.message}>
                <Text size="sm">
                  <Text span c="dimmed" ff="monospace" size="xs" mr={6}>
                    {d.code.startsWith('user-data') ? 'Whole script' : `Line ${d.line}`}
                  </Text>
                  {d.message}
                </Text>
              </UnstyledButton>
              {fix && (
                <Button size="compact-xs" variant="light" onClick={() => onFix(fix.apply)}>
                  {fix.label}
                </Button>
              )}
            </Group>
          );
        })}
      </Stack>
    </Paper>
  );
}
