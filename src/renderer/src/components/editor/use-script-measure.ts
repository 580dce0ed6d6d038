import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import type { ScriptMeasure } from '../../../../shared/ipc/projects.contract';
import type { InvokeRequest } from '../../../../shared/contract';
import { api } from '../../api';

export type MeasureState =
  { status: 'loading' } | { status: 'ok'; size: ScriptMeasure } | { status: 'error'; message: string };

/**
 * The user-data size, measured in main with the engine's own wrapper and gzip, a moment after typing stops.
 * The last good answer stays on screen while the next one is measured.
 */
export function useScriptMeasure(script: InvokeRequest<'projects:measure-script'>): MeasureState {
  const request = JSON.stringify(script);
  const [debounced] = useDebouncedValue(request, 350);
  const [state, setState] = useState<MeasureState>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    void api.projects
      .measureScript(JSON.parse(debounced) as InvokeRequest<'projects:measure-script'>)
      .then((result) => {
        if (!live) return;
        setState(
          result.ok
            ? { status: 'ok', size: result.value }
            : { status: 'error', message: result.error.message },
        );
      });
    return () => {
      live = false;
    };
  }, [debounced]);
  return state;
}
