import { Center, Loader } from '@mantine/core';
import { lazy, Suspense, type ComponentProps } from 'react';

// Monaco is several megabytes: it loads on first use, never with the first paint.
const MonacoEditor = lazy(() => import('./code-editor-impl'));

export type CodeEditorProps = ComponentProps<typeof MonacoEditor>;

export function CodeEditor(props: CodeEditorProps) {
  return (
    <Suspense
      fallback={
        <Center h={props.height ?? 320}>
          <Loader aria-label="Loading editor" />
        </Center>
      }
    >
      <MonacoEditor {...props} />
    </Suspense>
  );
}
