import { Center, Loader } from '@mantine/core';
import { lazy, Suspense } from 'react';
import type { ScriptDiffProps } from './script-diff-impl';

const ScriptDiffImpl = lazy(() => import('./script-diff-impl'));

export function ScriptDiff(props: ScriptDiffProps) {
  return (
    <Suspense
      fallback={
        <Center h={props.height}>
          <Loader aria-label="Loading diff" />
        </Center>
      }
    >
      <ScriptDiffImpl {...props} />
    </Suspense>
  );
}
