import { SandboxError } from '../wire/errors';

/**
 * MaxResults/NextToken paging. The token is opaque to callers; it carries the action and offset so a
 * token from another call is refused, as EC2 refuses it.
 */
export function paginate<T>(
  items: T[],
  action: string,
  maxResults: number | undefined,
  nextToken: string | undefined,
  limits: { min: number; max: number },
): { page: T[]; nextToken?: string } {
  if (maxResults !== undefined && (maxResults < limits.min || maxResults > limits.max)) {
    throw new SandboxError(
      'InvalidParameterValue',
      `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between ${limits.min} and ${limits.max}.`,
    );
  }
  const offset = nextToken === undefined ? 0 : readToken(nextToken, action);
  if (maxResults === undefined) return { page: items.slice(offset) };
  const end = offset + maxResults;
  const page = items.slice(offset, end);
  return end < items.length
    ? { page, nextToken: Buffer.from(`${action}:${end}`).toString('base64url') }
    : { page };
}

function readToken(token: string, action: string): number {
  const [tokenAction, offset] = Buffer.from(token, 'base64url').toString('utf8').split(':');
  const n = Number(offset);
  if (tokenAction !== action || !Number.isInteger(n) || n < 0) {
    throw new SandboxError(
      'InvalidPaginationToken',
      'The specified pagination token is not valid or is expired.',
    );
  }
  return n;
}
