import { useComputedColorScheme } from '@mantine/core';
import { DiffEditor } from '@monaco-editor/react';
import '../../monaco/monaco-setup';

export interface ScriptDiffProps {
  original: string;
  modified: string;
  /** Stable model names, so switching versions reuses Monaco models instead of piling them up. */
  originalPath: string;
  modifiedPath: string;
  language: 'shell' | 'yaml';
  height: number;
}

export default function ScriptDiffImpl(props: ScriptDiffProps) {
  const scheme = useComputedColorScheme('light');
  return (
    <DiffEditor
      height={props.height}
      original={props.original}
      modified={props.modified}
      originalModelPath={props.originalPath}
      modifiedModelPath={props.modifiedPath}
      // Disposing models before the widget lets go of them logs an error on unmount; they are reused instead.
      keepCurrentOriginalModel
      keepCurrentModifiedModel
      // A reused model still holds what it showed last time: bring it up to date on mount.
      onMount={(editor) => {
        const models = editor.getModel();
        if (models?.original.getValue() !== props.original) models?.original.setValue(props.original);
        if (models?.modified.getValue() !== props.modified) models?.modified.setValue(props.modified);
      }}
      language={props.language}
      theme={scheme === 'dark' ? 'vs-dark' : 'vs'}
      options={{
        readOnly: true,
        originalEditable: false,
        renderSideBySide: true,
        // The gutter's revert menu has nothing to do in a read-only diff, and its debounced toolbar update
        // can fire after the widget is disposed (switching diffs, leaving the tab), which Monaco reports as
        // "AbstractContextKeyService has been disposed" (microsoft/monaco-editor#4581).
        renderGutterMenu: false,
        minimap: { enabled: false },
        scrollBeyondLastLine: false,
        automaticLayout: true,
        fontSize: 13,
        ariaLabel: 'Script changes',
      }}
    />
  );
}
