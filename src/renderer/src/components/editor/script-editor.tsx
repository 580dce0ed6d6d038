import { Center, Loader } from '@mantine/core';
import { lazy, Suspense } from 'react';
import type { ScriptEditorImplProps } from './script-editor-impl';

// Monaco loads with the first project opened, never with the first paint.
const ScriptEditorImpl = lazy(() => import('./script-editor-impl'));

export type ScriptEditorProps = ScriptEditorImplProps;

export function ScriptEditor(props: ScriptEditorProps) {
  return (
    <Suspense
      fallback={
        <Center h={props.height}>
          <Loader aria-label="Loading editor" />
        </Center>
      }
    >
      <ScriptEditorImpl {...props} />
    </Suspense>
  );
}
