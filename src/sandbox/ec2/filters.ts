import { SandboxError } from '../wire/errors';
import type { Tags } from './records';

export interface Filter {
  Name: string;
  Value?: string[];
}

type FieldValue = string | number | boolean | undefined;

/** How a kind of resource answers each filter name it supports; `tag:*`, `tag-key`, `tag-value` come from tags. */
export type FilterFields<T> = Record<string, (resource: T) => FieldValue | FieldValue[]>;

/** EC2 filter values accept `*` and `?` wildcards (`\` escapes them). */
export function wildcard(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) source += escapeRegex(pattern[++i]!);
    else if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += escapeRegex(c);
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegex(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const TAG_FILTER = (name: string) => name.startsWith('tag:') || name === 'tag-key' || name === 'tag-value';

/**
 * Keeps the resources every filter matches (filters AND, values within a filter OR). An unknown filter
 * name is an error, as on EC2, even when there is nothing to filter.
 */
export function applyFilters<T>(
  resources: T[],
  filters: Filter[] | undefined,
  fields: FilterFields<T>,
  tagsOf: (resource: T) => Tags,
): T[] {
  for (const filter of filters ?? []) {
    if (!TAG_FILTER(filter.Name) && !fields[filter.Name]) {
      throw new SandboxError('InvalidParameterValue', `The filter '${filter.Name}' is invalid`);
    }
  }
  // Compiled once per call, not per resource: a poller's filter can carry 200 ids over hundreds of resources.
  const compiled = (filters ?? []).map((filter) => ({
    filter,
    patterns: (filter.Value ?? []).map(wildcard),
  }));
  return resources.filter((resource) =>
    compiled.every(({ filter, patterns }) => {
      const actual = valuesFor(filter.Name, fields, resource, tagsOf(resource));
      return actual.some((value) => patterns.some((p) => p.test(value)));
    }),
  );
}

function valuesFor<T>(name: string, fields: FilterFields<T>, resource: T, tags: Tags): string[] {
  if (name.startsWith('tag:')) {
    const value = tags.get(name.slice(4));
    return value === undefined ? [] : [value];
  }
  if (name === 'tag-key') return [...tags.keys()];
  if (name === 'tag-value') return [...tags.values()];
  const value = fields[name]!(resource);
  return (Array.isArray(value) ? value : [value]).filter((v) => v !== undefined).map(String);
}
