import type { ReferenceReader } from '../boot/resolve-references';
import type { IdGenerator } from '../ids';
import type { KmsRegion } from '../kms/keys';
import type { QueryTree } from '../wire/query';
import type { XmlValue } from '../wire/xml';
import type { LaunchTimeline, Scenario } from '../scenario';
import type { SandboxTimings } from '../timings';
import type { VmHost } from '../vm/vm-host';
import type { RegionState } from './region-state';

/** What an EC2 action handler works with: the caller's region at this moment, and the simulation's knobs. */
export interface Ec2Context {
  now: number;
  region: RegionState;
  accountId: string;
  ids: IdGenerator;
  timings: SandboxTimings;
  scenario: Scenario;
  /** The next per-launch timeline pushed by a benchmark, consumed by this call. */
  nextTimeline(): LaunchTimeline | undefined;
  /** The VM mode's host, when the Sandbox runs one (instances of its images are QEMU VMs). */
  vm?: VmHost;
  /** The caller region's KMS keys (encrypted volumes, snapshots and copies name one). */
  kms: KmsRegion;
  /** Another region's EC2 resources and keys: CopyImage reads its source there. */
  otherRegion(name: string): { ec2: RegionState; kms: KmsRegion };
  /** Reads parameters and secrets as an instance's role session would (a builder's env references). */
  references: ReferenceReader;
  /** Whether an instance profile (name or ARN) exists in the account. */
  instanceProfileExists(nameOrArn: string): boolean;
}

/** Returns the response body (wire element names); throws SandboxError for EC2 errors. */
export type Ec2Handler = (ctx: Ec2Context, params: QueryTree) => { [key: string]: XmlValue };
