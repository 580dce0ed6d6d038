import { get, type FieldErrors } from 'react-hook-form';

/** The message of the error at a dotted path (`baseImage.imageId`, `tags.2.key`), for fields outside a Controller. */
export function fieldError(errors: FieldErrors, path: string): string | undefined {
  const error: unknown = get(errors, path);
  return typeof error === 'object' &&
    error !== null &&
    'message' in error &&
    typeof error.message === 'string'
    ? error.message
    : undefined;
}
