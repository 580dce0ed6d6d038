import { Grid, Stack } from '@mantine/core';
import type { editor } from 'monaco-editor';
import { useDeferredValue, useMemo, useRef } from 'react';
import { useController, useFormContext, useWatch } from 'react-hook-form';
import { diagnoseScript, scriptLanguage, type ScriptDiagnostic } from '../../../../shared/script-diagnostics';
import { envRecord, type ProjectFormValues } from '../project/project-form-model';
import { DiagnosticsList } from './diagnostics-list';
import { EnvEditor } from './env-editor';
import { ScriptEditor } from './script-editor';
import { ScriptSizeMeter } from './script-size-meter';
import { useScriptMeasure } from './use-script-measure';

/** The init script in Monaco, its problems, its user-data size, and its environment beside it. */
export function ScriptTab({ onSave }: { onSave: () => void }) {
  const { control } = useFormContext<ProjectFormValues>();
  const { field } = useController({ control, name: 'initScript' });
  const env = useWatch({ control, name: 'env' });
  const completion = useWatch({ control, name: 'completion' });
  const editorRef = useRef<editor.IStandaloneCodeEditor | null>(null);

  const script = useDeferredValue(field.value);
  const envVars = useMemo(() => envRecord(env), [env]);
  const measure = useScriptMeasure({ initScript: script, env: envVars, completion });
  const diagnostics = useMemo(
    () =>
      diagnoseScript(script, {
        completionMode: completion.mode,
        envCount: Object.keys(envVars).length,
        ...(measure.status === 'ok' ? { size: measure.size } : {}),
      }),
    [script, completion.mode, envVars, measure],
  );

  const reveal = (d: ScriptDiagnostic) => {
    const instance = editorRef.current;
    if (!instance) return;
    instance.setSelection({
      startLineNumber: d.line,
      startColumn: d.column,
      endLineNumber: d.endLine,
      endColumn: d.endColumn,
    });
    instance.revealLineInCenter(d.line);
    instance.focus();
  };

  return (
    <Grid gap="md">
      <Grid.Col span={{ base: 12, lg: 8 }}>
        <Stack gap="sm">
          <div
            style={{
              border: '1px solid var(--mantine-color-default-border)',
              borderRadius: 'var(--mantine-radius-sm)',
              overflow: 'hidden',
            }}
          >
            <ScriptEditor
              value={field.value}
              onChange={field.onChange}
              language={scriptLanguage(script)}
              diagnostics={diagnostics}
              height={440}
              onSave={onSave}
              editorRef={editorRef}
            />
          </div>
          <DiagnosticsList
            diagnostics={diagnostics}
            onReveal={reveal}
            onFix={(apply) => field.onChange(apply(field.value))}
          />
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 4 }}>
        <Stack gap="sm">
          <ScriptSizeMeter state={measure} />
          <EnvEditor />
        </Stack>
      </Grid.Col>
    </Grid>
  );
}
