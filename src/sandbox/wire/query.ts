import { z } from 'zod';
import { SandboxError } from './errors';

/**
 * The Query protocol flattens structures into dotted keys: `Filter.1.Name`, `Filter.1.Value.2`,
 * `BlockDeviceMapping.1.Ebs.VolumeSize`. This rebuilds the tree, turning objects whose keys are all
 * positive integers into arrays (ordered by index), so each action can validate it with a zod schema.
 */
export type QueryTree = { [key: string]: QueryNode };
export type QueryNode = string | QueryTree | QueryNode[];

export function flatParams(search: URLSearchParams): Map<string, string> {
  const flat = new Map<string, string>();
  for (const [key, value] of search) flat.set(key, value);
  return flat;
}

export function buildTree(flat: Map<string, string>): QueryTree {
  const root: { [key: string]: unknown } = {};
  for (const [key, value] of flat) {
    const path = key.split('.');
    let node = root;
    path.forEach((segment, index) => {
      if (segment === '') throw malformed(key);
      const last = index === path.length - 1;
      const existing = node[segment];
      if (last) {
        if (existing !== undefined && typeof existing !== 'string') throw malformed(key);
        node[segment] = value;
        return;
      }
      if (existing === undefined) node[segment] = {};
      else if (typeof existing === 'string') throw malformed(key);
      node = node[segment] as { [key: string]: unknown };
    });
  }
  return normalize(root) as QueryTree;
}

function normalize(node: unknown): QueryNode {
  if (typeof node === 'string') return node;
  const record = node as { [key: string]: unknown };
  const keys = Object.keys(record);
  if (keys.length > 0 && keys.every((k) => /^[1-9]\d{0,4}$/.test(k))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => normalize(record[String(k)]));
  }
  const out: QueryTree = {};
  for (const key of keys) out[key] = normalize(record[key]);
  return out;
}

function malformed(key: string): SandboxError {
  return new SandboxError(
    'MalformedQueryString',
    `The query parameter '${key}' conflicts with another parameter.`,
  );
}

/** Query values are strings on the wire; these coerce them the way EC2 reads them. */
export const qInt = z
  .string()
  .regex(/^-?\d{1,15}$/, 'must be an integer')
  .transform(Number);
export const qBool = z
  .enum(['true', 'false', 'True', 'False', 'TRUE', 'FALSE'])
  .transform((v) => v.toLowerCase() === 'true');

/**
 * Validates a tree against a schema and maps zod's complaint to the error EC2 gives: a missing required
 * parameter is `MissingParameter`, anything else `InvalidParameterValue`, both naming the wire parameter.
 */
export function parseParams<T extends z.ZodType>(schema: T, tree: QueryTree): z.output<T> {
  const result = schema.safeParse(tree, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = issue.path.map((p) => (typeof p === 'number' ? String(p + 1) : String(p))).join('.');
  if (issue.code === 'invalid_type' && !('input' in issue && issue.input !== undefined)) {
    return missing(name);
  }
  const input =
    'input' in issue && typeof issue.input === 'string' ? issue.input : JSON.stringify(issue.input);
  throw new SandboxError(
    'InvalidParameterValue',
    `Value (${input}) for parameter ${name} is invalid. ${issue.message}`,
  );
}

export function missing(name: string): never {
  throw new SandboxError('MissingParameter', `The request must contain the parameter ${name}`);
}

/** A short, log-friendly copy of the request's parameters (user data reduced to its size). */
export function summarizeParams(flat: Map<string, string>): Record<string, string> {
  const summary: Record<string, string> = {};
  for (const [key, value] of flat) {
    if (key === 'Action' || key === 'Version') continue;
    if (key === 'UserData') summary[key] = `(${value.length} base64 chars)`;
    else summary[key] = value.length > 200 ? `${value.slice(0, 200)}…` : value;
  }
  return summary;
}
