/**
 * Environment references in the wrapper (issue 18): which variables the builder resolves itself, with its
 * instance profile, before the script runs. Only names travel — never a value. The payload is base64 in a
 * single-quoted assignment `QX_REFS_B64='…'`, present only when the project has references; each line is
 *
 *   NAME<TAB>ssm<TAB><parameter name[:version]>
 *   NAME<TAB>secretsmanager<TAB><secret name or ARN>[<TAB><JSON key>]
 *
 * When one cannot be resolved the wrapper prints, instead of running the script,
 *
 *   [quadraxis:<nonce>] unresolved <NAME> <reason>: <AWS's words>
 *   [quadraxis:<nonce>] done exit=<UNRESOLVED_EXIT_CODE> warnings=0
 *
 * and powers off. `reason` is one of UNRESOLVED_REASONS.
 */
export interface WireReference {
  name: string;
  source: 'ssm' | 'secretsmanager';
  id: string;
  key?: string;
}

/** The exit code the wrapper reports when it could not resolve the references (the script never ran). */
export const UNRESOLVED_EXIT_CODE = 122;

export const UNRESOLVED_REASONS = [
  /** Neither python3 nor the AWS CLI on the image. */
  'no-helper',
  /** The instance has no instance profile (IMDS has no role credentials). */
  'no-profile',
  /** The role may not read it (or decrypt it). */
  'denied',
  /** No such parameter, secret, or JSON key. */
  'not-found',
  /** Anything else: the service unreachable, an unexpected answer. */
  'error',
] as const;
export type UnresolvedReason = (typeof UNRESOLVED_REASONS)[number];

export function encodeReferences(refs: readonly WireReference[]): string {
  return refs
    .map((r) => [r.name, r.source, r.id, ...(r.key !== undefined ? [r.key] : [])].join('\t'))
    .join('\n');
}

export function decodeReferences(payload: string): WireReference[] {
  const refs: WireReference[] = [];
  for (const line of payload.split('\n')) {
    const [name, source, id, key] = line.split('\t');
    if (!name || !id || (source !== 'ssm' && source !== 'secretsmanager')) continue;
    refs.push({ name, source, id, ...(key !== undefined && key !== '' ? { key } : {}) });
  }
  return refs;
}

/** Masks every resolved value in a line of the script's output, as the wrapper's filter does. */
export const MASK = '****';
/** Value lines shorter than this are not masked (a one-letter line would mask every such letter). */
export const MASK_MIN_LENGTH = 3;

export function maskLine(line: string, values: readonly string[]): string {
  const pieces = values
    .flatMap((v) => v.split('\n'))
    .filter((p) => p.length >= MASK_MIN_LENGTH)
    .sort((a, b) => b.length - a.length);
  let out = line;
  for (const piece of pieces) out = out.split(piece).join(MASK);
  return out;
}
