import { useComputedColorScheme } from '@mantine/core';
import Editor, { type EditorProps } from '@monaco-editor/react';
import '../monaco/monaco-setup';

/** The Monaco editor with the app's theme; language and value come from the caller. */
export default function CodeEditorImpl(props: EditorProps & { ariaLabel?: string }) {
  const scheme = useComputedColorScheme('light');
  const { ariaLabel, options, ...rest } = props;
  return (
    <Editor
      theme={scheme === 'dark' ? 'vs-dark' : 'vs'}
      options={{
        minimap: { enabled: false },
        fontSize: 13,
        scrollBeyondLastLine: false,
        automaticLayout: true,
        ariaLabel: ariaLabel ?? 'Code editor',
        ...options,
      }}
      {...rest}
    />
  );
}
