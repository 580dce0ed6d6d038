import { TextInput } from '@mantine/core';
import { useState, type ReactNode } from 'react';

/**
 * A text setting saved on Enter or when focus leaves, not on every keystroke (each save restarts the
 * listener). `check` returns what is wrong with a value; a wrong one is shown and not saved.
 */
export function CommitInput({
  label,
  description,
  placeholder,
  saved,
  check,
  onCommit,
}: {
  label: string;
  description?: ReactNode;
  placeholder?: string;
  saved: string;
  check?: (value: string) => string | undefined;
  onCommit: (value: string) => void;
}) {
  const [value, setValue] = useState(saved);
  const [error, setError] = useState<string>();
  const commit = () => {
    const trimmed = value.trim();
    const problem = trimmed ? check?.(trimmed) : undefined;
    setError(problem);
    if (!problem && trimmed !== saved) onCommit(trimmed);
  };
  return (
    <TextInput
      label={label}
      description={description}
      placeholder={placeholder}
      value={value}
      error={error}
      onChange={(event) => setValue(event.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(event) => event.key === 'Enter' && commit()}
      spellCheck={false}
    />
  );
}
