/**
 * Ids, patterns and names are code: monospace in the input, while the label stays in the UI font. One pixel
 * smaller than the UI text: DejaVu Sans Mono at the inputs' own size puts "_" below what the input shows.
 */
export const MONO_INPUT = {
  input: {
    fontFamily: 'var(--mantine-font-family-monospace)',
    fontSize: 'calc(var(--input-fz, var(--mantine-font-size-sm)) - 1px)',
  },
} as const;
