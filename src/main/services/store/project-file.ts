import { createHash } from 'node:crypto';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, stringify } from 'yaml';
import type { Document } from 'yaml';
import type { z } from 'zod';
import { PROJECT_SCHEMA_VERSION, ProjectSchema } from '../../../shared/project';
import type { Project } from '../../../shared/project';
import { AppError } from '../../../shared/result';
import { migrateProject } from './project-migrate';

/**
 * The project file format (quadraxis.yaml): parsing YAML or JSON into a validated Project with errors a
 * person can act on ("web.yaml:7:1: initScript: Required"), and writing it back as stable YAML.
 */

export const MAX_PROJECT_FILE_BYTES = 2 * 1024 * 1024;

export type ProjectFormat = 'yaml' | 'json';

export interface ProjectIssue {
  /** 1-based; 1 when the problem has no better place (an empty file). */
  line: number;
  column: number;
  /** `baseImage.kind`, `securityGroupIds[0]`; empty for the file as a whole. */
  path: string;
  message: string;
}

export type ProjectCheck =
  | { ok: true; project: Project }
  | { ok: false; issues: ProjectIssue[]; /** From a newer Quadraxis: leave it alone. */ newer: boolean };

export interface ParseOptions {
  /** A file name for messages and format detection, e.g. `web.yaml`. */
  source?: string;
  format?: ProjectFormat;
}

export function detectFormat(text: string, source?: string): ProjectFormat {
  if (source && /\.json$/i.test(source)) return 'json';
  if (source && /\.ya?ml$/i.test(source)) return 'yaml';
  return text.trimStart().startsWith('{') ? 'json' : 'yaml';
}

/** Validates without throwing: the editor shows every issue at its line. */
export function checkProjectText(text: string, opts: ParseOptions = {}): ProjectCheck {
  const fail = (issues: ProjectIssue[], newer = false): ProjectCheck => ({
    ok: false,
    newer,
    issues: issues.sort((a, b) => a.line - b.line || a.column - b.column),
  });
  if (Buffer.byteLength(text) > MAX_PROJECT_FILE_BYTES) {
    return fail([
      { line: 1, column: 1, path: '', message: 'The file is over 2 MB; a project file is much smaller.' },
    ]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  let raw: unknown;
  if ((opts.format ?? detectFormat(text, opts.source)) === 'json') {
    try {
      raw = JSON.parse(text);
    } catch (error) {
      return fail([jsonSyntaxIssue(text, error)]);
    }
  } else {
    if (doc.errors.length > 0) {
      return fail(
        doc.errors.map((e) => {
          const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
          return { line: pos.line, column: pos.col, path: '', message: firstLine(e.message) };
        }),
      );
    }
    try {
      raw = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      return fail([
        { line: 1, column: 1, path: '', message: error instanceof Error ? error.message : String(error) },
      ]);
    }
  }
  const at = (path: readonly PropertyKey[], message: string): ProjectIssue => ({
    ...locate(doc, lineCounter, path),
    path: formatPath(path),
    message,
  });
  if (raw === null || raw === undefined) return fail([at([], 'The file is empty.')]);
  if (!isPlainObject(raw)) return fail([at([], 'A project file is a mapping of fields, like `name: web`.')]);

  const migrated = migrateProject(raw);
  if (!migrated.ok) return fail([at(['schemaVersion'], migrated.message)], migrated.newer);

  const parsed = ProjectSchema.safeParse(migrated.value);
  if (!parsed.success)
    return fail(parsed.error.issues.map((issue) => at(issue.path, issueMessage(issue, raw))));
  const unknown = unknownFields(migrated.value, parsed.data, []);
  if (unknown.length > 0) return fail(unknown.map((u) => at(u.path, u.message)));
  return { ok: true, project: parsed.data };
}

/** Parses or throws AppError('INVALID_INPUT') with one line per issue: `web.yaml:7:1: initScript: Required`. */
export function parseProjectText(text: string, opts: ParseOptions = {}): Project {
  const result = checkProjectText(text, opts);
  if (result.ok) return result.project;
  const source = opts.source ?? (detectFormat(text) === 'json' ? 'project.json' : 'project.yaml');
  const first = result.issues[0];
  throw new AppError('INVALID_INPUT', formatIssues(source, result.issues), {
    source,
    line: String(first?.line ?? 1),
    ...(result.newer ? { reason: 'newer-schema' } : {}),
  });
}

export function formatIssues(source: string, issues: readonly ProjectIssue[]): string {
  return issues
    .map((i) => `${source}:${i.line}:${i.column}: ${i.path ? `${i.path}: ` : ''}${i.message}`)
    .join('; ');
}

const HEADER = [
  `# Quadraxis project (schemaVersion ${PROJECT_SCHEMA_VERSION}): a base image, an init script and how to launch the builder.`,
  '# Check a change with `quadraxis projects import <file>`; field reference: src/shared/project.ts.',
].join('\n');

/**
 * Fields left out when empty: their empty value is their default and means "none", so the file stays as
 * short as a person would write it. Defaults with behaviour (instance type, completion…) stay explicit,
 * so a future change of default never silently changes an existing project.
 */
const OMITTED_WHEN_EMPTY = ['description', 'securityGroupIds', 'env', 'tags', 'triggers'] as const;

/** Stable YAML: the same project always gives the same text, so files diff cleanly in a repository. */
export function exportProjectYaml(project: Project): string {
  const out: Partial<Project> = { ...project };
  for (const key of OMITTED_WHEN_EMPTY) if (isEmpty(project[key])) delete out[key];
  return `${HEADER}\n${stringify(out, { lineWidth: 0, indent: 2 })}`;
}

function isEmpty(value: unknown): boolean {
  if (value === '' || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isPlainObject(value) && Object.values(value).every(isEmpty);
}

/** A project file's revision: its content hash, so any change by anyone (even by hand) is a new revision. */
export function projectRevision(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function issueMessage(issue: z.core.$ZodIssue, raw: unknown): string {
  const present = valueAt(raw, issue.path) !== undefined;
  if (issue.code === 'invalid_type' && !present) return 'Required';
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    const options = issue.options.map(String).join(', ');
    return present ? `Must be one of ${options}` : `Required (one of ${options})`;
  }
  if (issue.code === 'invalid_key') return issue.issues[0]?.message ?? issue.message;
  return issue.message.replace(/^Invalid input: /, '');
}

interface UnknownField {
  path: PropertyKey[];
  message: string;
}

/** The schema drops fields it does not know; a typo like `instancetype:` must not pass silently. */
function unknownFields(raw: unknown, parsed: unknown, path: PropertyKey[]): UnknownField[] {
  if (Array.isArray(raw) && Array.isArray(parsed)) {
    return raw.flatMap((item, i) => unknownFields(item, parsed[i], [...path, i]));
  }
  if (!isPlainObject(raw) || !isPlainObject(parsed)) return [];
  const known =
    path.length === 0 ? [...Object.keys(ProjectSchema.shape), ...Object.keys(parsed)] : Object.keys(parsed);
  return Object.keys(raw).flatMap((key) => {
    if (!(key in parsed)) {
      const hint = known.find((k) => normalize(k) === normalize(key));
      return [{ path: [...path, key], message: `Unknown field${hint ? ` (did you mean ${hint}?)` : ''}` }];
    }
    return unknownFields(raw[key], parsed[key], [...path, key]);
  });
}

function normalize(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

function locate(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
): { line: number; column: number } {
  let node: unknown = doc.contents;
  let offset = isScalar(node) || isMap(node) || isSeq(node) ? (node.range?.[0] ?? 0) : 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      if (isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (!(isScalar(item) || isMap(item) || isSeq(item))) break;
      if (item.range) offset = item.range[0];
      node = item;
    } else break;
  }
  const pos = lineCounter.linePos(offset);
  return { line: Math.max(1, pos.line), column: Math.max(1, pos.col) };
}

function jsonSyntaxIssue(text: string, error: unknown): ProjectIssue {
  const message = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(message);
  const offset = position ? Number(position[1]) : 0;
  const before = text.slice(0, offset).split('\n');
  return {
    line: before.length,
    column: (before.at(-1)?.length ?? 0) + 1,
    path: '',
    message: `JSON syntax: ${message.replace(/ in JSON at position \d+.*$/, '')}`,
  };
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const segment of path) {
    if (!isPlainObject(value) && !Array.isArray(value)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, segment) =>
      typeof segment === 'number'
        ? `${out}[${segment}]`
        : out
          ? `${out}.${String(segment)}`
          : String(segment),
    '',
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
