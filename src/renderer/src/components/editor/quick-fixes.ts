import type { DiagnosticCode } from '../../../../shared/script-diagnostics';

/** One-click fixes for the problems that have only one sensible fix. */
export const QUICK_FIXES: Partial<
  Record<DiagnosticCode, { label: string; apply: (script: string) => string }>
> = {
  crlf: { label: 'Convert to LF', apply: (s) => s.replace(/\r\n/g, '\n') },
  'missing-shebang': { label: 'Add #!/bin/bash', apply: (s) => `#!/bin/bash\n${s}` },
  'shebang-not-first': { label: 'Move it to line 1', apply: (s) => s.replace(/^[\s\uFEFF]+/, '') },
  bom: { label: 'Remove it', apply: (s) => s.replace(/^\uFEFF/, '') },
};
