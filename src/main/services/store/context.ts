import { hostname } from 'node:os';
import type { Clock } from '../clock';
import type { StorePaths } from './paths';
import type { Notices, Quarantine, StoreLogger } from './quarantine';

/** Who is writing: named in conflict messages ("changed by quadraxis CLI, pid 4242 on build-01"). */
export interface WriterIdentity {
  actor: string;
  pid: number;
  hostname: string;
}

export interface StoreContext {
  paths: StorePaths;
  clock: Clock;
  logger: StoreLogger;
  notices: Notices;
  quarantine: Quarantine;
  identity: WriterIdentity;
}

export function currentIdentity(actor: string): WriterIdentity {
  return { actor, pid: process.pid, hostname: hostname() };
}
