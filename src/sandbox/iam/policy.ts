import { z } from 'zod';

/**
 * IAM policy documents as far as the Sandbox evaluates them: Allow and Deny statements, Action and
 * Resource (strings or lists, with `*` and `?` wildcards), and Conditions with the string and ARN
 * operators (StringEquals, StringLike, StringNotEquals, StringNotLike, ArnEquals, ArnLike and their
 * IfExists forms). Anything else is refused when the policy is set, never silently ignored. Evaluation
 * follows IAM: an explicit Deny wins, else an Allow allows, else the request is implicitly denied.
 */
const StringOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const OPERATORS = [
  'StringEquals',
  'StringLike',
  'StringNotEquals',
  'StringNotLike',
  'ArnEquals',
  'ArnLike',
] as const;
const OperatorSchema = z
  .string()
  .refine(
    (op) => (OPERATORS as readonly string[]).includes(op.replace(/IfExists$/, '')),
    `The Sandbox evaluates only these condition operators (and their IfExists forms): ${OPERATORS.join(', ')}.`,
  );

export const PolicyStatementSchema = z.strictObject({
  Sid: z.string().optional(),
  Effect: z.enum(['Allow', 'Deny']),
  Action: StringOrList,
  Resource: StringOrList,
  Condition: z.record(OperatorSchema, z.record(z.string(), StringOrList)).optional(),
});
export type PolicyStatement = z.infer<typeof PolicyStatementSchema>;

export const PolicyDocumentSchema = z.strictObject({
  Version: z.literal('2012-10-17').optional(),
  Statement: z.union([PolicyStatementSchema, z.array(PolicyStatementSchema)]),
});
export type PolicyDocument = z.infer<typeof PolicyDocumentSchema>;

export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

/** Condition keys and their values for one request (`kms:ViaService`, `kms:EncryptionContext:…`). */
export type RequestContext = Record<string, string[]>;

function list(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** IAM's wildcards: `*` any run of characters, `?` any one; actions compare case-insensitively. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

function conditionHolds(operator: string, key: string, wanted: string[], context: RequestContext): boolean {
  const ifExists = operator.endsWith('IfExists');
  const base = operator.replace(/IfExists$/, '');
  const present = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
  if (present === undefined || present.length === 0) return ifExists || base.startsWith('StringNot');
  const like =
    base === 'StringLike' || base === 'StringNotLike' || base === 'ArnLike' || base === 'ArnEquals';
  const matches = present.some((value) => wanted.some((w) => (like ? wildcardMatch(w, value) : w === value)));
  return base.startsWith('StringNot') ? !matches : matches;
}

function statementMatches(
  statement: PolicyStatement,
  action: string,
  resource: string,
  context: RequestContext,
): boolean {
  if (!list(statement.Action).some((a) => wildcardMatch(a, action, true))) return false;
  if (!list(statement.Resource).some((r) => wildcardMatch(r, resource))) return false;
  for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
    for (const [key, wanted] of Object.entries(entries)) {
      if (!conditionHolds(operator, key, list(wanted), context)) return false;
    }
  }
  return true;
}

export interface Evaluation {
  decision: Decision;
  /** The statements that decided it (the Deny, or the Allows that matched). */
  matched: PolicyStatement[];
}

export function evaluate(
  documents: readonly PolicyDocument[],
  action: string,
  resource: string,
  context: RequestContext = {},
): Evaluation {
  const statements = documents.flatMap((d) => (Array.isArray(d.Statement) ? d.Statement : [d.Statement]));
  const matching = statements.filter((s) => statementMatches(s, action, resource, context));
  const deny = matching.filter((s) => s.Effect === 'Deny');
  if (deny.length > 0) return { decision: 'explicitDeny', matched: deny };
  const allow = matching.filter((s) => s.Effect === 'Allow');
  return allow.length > 0
    ? { decision: 'allowed', matched: allow }
    : { decision: 'implicitDeny', matched: [] };
}
