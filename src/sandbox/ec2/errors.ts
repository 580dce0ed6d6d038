import { SandboxError } from '../wire/errors';

/** EC2's own error codes and messages for ids it cannot parse or cannot find. */
const ID_PATTERN = (prefix: string) => new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`);

const KINDS = {
  instance: {
    prefix: 'i',
    malformed: 'InvalidInstanceID.Malformed',
    notFound: 'InvalidInstanceID.NotFound',
    noun: 'instance ID',
  },
  image: {
    prefix: 'ami',
    malformed: 'InvalidAMIID.Malformed',
    notFound: 'InvalidAMIID.NotFound',
    noun: 'image id',
  },
  snapshot: {
    prefix: 'snap',
    malformed: 'InvalidSnapshotID.Malformed',
    notFound: 'InvalidSnapshot.NotFound',
    noun: 'snapshot',
  },
  volume: {
    prefix: 'vol',
    malformed: 'InvalidVolumeID.Malformed',
    notFound: 'InvalidVolume.NotFound',
    noun: 'volume',
  },
} as const;
export type IdKind = keyof typeof KINDS;

export function checkIdFormat(kind: IdKind, id: string): void {
  const k = KINDS[kind];
  if (!ID_PATTERN(k.prefix).test(id)) {
    throw new SandboxError(k.malformed, `Invalid id: "${id}" (expecting "${k.prefix}-...")`);
  }
}

export function notFound(kind: IdKind, ids: string[]): SandboxError {
  const k = KINDS[kind];
  if (kind === 'image')
    return new SandboxError(k.notFound, `The image id '[${ids.join(', ')}]' does not exist`);
  if (ids.length === 1) return new SandboxError(k.notFound, `The ${k.noun} '${ids[0]}' does not exist`);
  return new SandboxError(k.notFound, `The ${k.noun}s '${ids.join(', ')}' do not exist`);
}

/** Checks every id's format, then looks them all up: EC2 names every missing id in one error. */
export function lookupAll<T>(kind: IdKind, ids: string[], get: (id: string) => T | undefined): T[] {
  for (const id of ids) checkIdFormat(kind, id);
  const missing = ids.filter((id) => get(id) === undefined);
  if (missing.length > 0) throw notFound(kind, missing);
  return ids.map((id) => get(id)!);
}

export function invalidValue(message: string): SandboxError {
  return new SandboxError('InvalidParameterValue', message);
}

export function incorrectState(message: string): SandboxError {
  return new SandboxError('IncorrectInstanceState', message);
}
