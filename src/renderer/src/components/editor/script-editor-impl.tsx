import type { OnMount } from '@monaco-editor/react';
import type { editor } from 'monaco-editor';
import { useEffect, useRef } from 'react';
import type { ScriptDiagnostic } from '../../../../shared/script-diagnostics';
import CodeEditorImpl from '../code-editor-impl';
import { monaco } from '../../monaco/monaco-setup';

export interface ScriptEditorImplProps {
  value: string;
  onChange: (value: string) => void;
  language: 'shell' | 'yaml';
  diagnostics: readonly ScriptDiagnostic[];
  height: number | string;
  /** Ctrl/⌘+S inside the editor. */
  onSave: () => void;
  /** Filled in on mount, so the diagnostics list can move the cursor to a problem. */
  editorRef: { current: editor.IStandaloneCodeEditor | null };
}

const SEVERITY = {
  error: monaco.MarkerSeverity.Error,
  warning: monaco.MarkerSeverity.Warning,
  info: monaco.MarkerSeverity.Info,
} as const;

/** The init script in Monaco, with the shared diagnostics as markers (squiggles, hover, F8 to walk them). */
export default function ScriptEditorImpl(props: ScriptEditorImplProps) {
  const { diagnostics, onSave, editorRef } = props;
  const saveRef = useRef(onSave);
  useEffect(() => {
    saveRef.current = onSave;
  }, [onSave]);

  const onMount: OnMount = (instance) => {
    editorRef.current = instance;
    instance.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => saveRef.current());
    setMarkers(instance, diagnostics);
  };

  useEffect(() => {
    if (editorRef.current) setMarkers(editorRef.current, diagnostics);
  }, [diagnostics, editorRef]);

  useEffect(() => () => void (editorRef.current = null), [editorRef]);

  return (
    <CodeEditorImpl
      height={props.height}
      language={props.language}
      value={props.value}
      onChange={(value) => props.onChange(value ?? '')}
      onMount={onMount}
      ariaLabel="Init script"
      options={{
        renderWhitespace: 'boundary',
        unicodeHighlight: { ambiguousCharacters: true, invisibleCharacters: true },
        tabSize: 2,
        wordWrap: 'off',
        fixedOverflowWidgets: true,
      }}
    />
  );
}

function setMarkers(instance: editor.IStandaloneCodeEditor, diagnostics: readonly ScriptDiagnostic[]): void {
  const model = instance.getModel();
  if (!model) return;
  monaco.editor.setModelMarkers(
    model,
    'quadraxis',
    diagnostics.map((d) => ({
      severity: SEVERITY[d.severity],
      message: d.message,
      code: d.code,
      startLineNumber: d.line,
      startColumn: d.column,
      endLineNumber: d.endLine,
      endColumn: d.endColumn,
    })),
  );
}
