import type { SimulatorCore } from '../core';
import type { CallerScope } from './auth';
import type { SandboxError } from './errors';
import type { QueryTree } from './query';

/**
 * How one simulated AWS service plugs into the Sandbox's front door (see `services.ts`). Each service keeps
 * its state and handlers in its own folder (`ec2/`, `sts/`, `ssm/`…) and describes itself here; the
 * dispatcher does the parts every service shares: telling services apart, reading the caller, faults, the
 * call log, and answering in the service's own envelope.
 */
interface ServiceBase {
  /** The name in the call log and in `CallRecord.service` (`ec2`, `sts`, `ssm`, `autoscaling`…). */
  name: string;
  has(action: string): boolean;
}

/** A service of the AWS Query family: `Action=…&Version=…` form parameters, XML answers. */
export interface QueryService extends ServiceBase {
  protocol: 'query';
  /** The API version the SDK sends (`2016-11-15` for EC2); how a request is matched to the service. */
  version: string;
  /** The SigV4 signing name, which tells services apart when a request carries no Version. */
  signingName: string;
  /** EC2's own rules: per-action token buckets (RequestLimitExceeded) and DryRun. */
  ec2Rules?: boolean;
  /** Returns the whole XML success document. */
  handle(
    core: SimulatorCore,
    action: string,
    tree: QueryTree,
    caller: CallerScope,
    requestId: string,
  ): string;
  errorDocument(error: SandboxError, requestId: string): string;
}

/** A service of the AWS JSON family: `X-Amz-Target: <prefix>.<Action>`, JSON bodies. */
export interface JsonService extends ServiceBase {
  protocol: 'json';
  /** The part of X-Amz-Target before the dot (`AmazonSSM`, `secretsmanager`, `TrentService`). */
  targetPrefix: string;
  /** `application/x-amz-json-1.1` (SSM, Secrets Manager, KMS). */
  contentType: string;
  handle(core: SimulatorCore, action: string, body: unknown, caller: CallerScope): unknown;
}

export type SandboxService = QueryService | JsonService;
