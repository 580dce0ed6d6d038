import { ActionIcon, Box, Group, Loader, Tooltip } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { PickerState } from './use-picker';

/**
 * Props that give any Mantine select a picker's refresh button beside the input (not in its label, so the
 * field's accessible name stays its label) and an inline loader while the list loads.
 */
export function pickerInputProps(what: string, picker: Pick<PickerState<unknown>, 'loading' | 'refresh'>) {
  return {
    rightSection: picker.loading ? <Loader size={14} aria-label={`Loading ${what}`} /> : undefined,
    inputContainer: (children: ReactNode) => (
      <Group gap={6} wrap="nowrap" align="flex-start">
        <Box style={{ flex: 1, minWidth: 0 }}>{children}</Box>
        <Tooltip label={`Refresh ${what}`}>
          <ActionIcon
            variant="default"
            size="input-sm"
            onClick={picker.refresh}
            aria-label={`Refresh ${what}`}
            disabled={picker.loading}
          >
            <IconRefresh size={16} />
          </ActionIcon>
        </Tooltip>
      </Group>
    ),
  };
}
