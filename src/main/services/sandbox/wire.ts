import type { IncomingHttpHeaders } from 'node:http';
import type { CallRecord, SimulatorCore } from './core';
import { EC2_ACTIONS } from './ec2/actions';
import { callerScope, type CallerScope } from './protocol/auth';
import { SandboxError } from './protocol/errors';
import { buildTree, flatParams, summarizeParams } from './protocol/query';
import { ec2Document, ec2ErrorDocument, stsDocument, stsErrorDocument } from './protocol/xml';
import type { FaultKind } from './scenario';
import { handleSsm, SSM_ACTIONS } from './ssm';

export interface WireRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type WireResponse =
  | { kind: 'reply'; status: number; headers: Record<string, string>; body: string }
  /** Destroy the socket without answering (an injected dropped connection). */
  | { kind: 'drop' };

type Service = CallRecord['service'];
type LogBase = Omit<CallRecord, 'seq' | 'outcome' | 'status'>;

const EC2_VERSION = '2016-11-15';
const STS_VERSION = '2011-06-15';

const FAULT_ERRORS: Record<Exclude<FaultKind, 'DropConnection' | 'DropResponse'>, [string, string]> = {
  InsufficientInstanceCapacity: [
    'InsufficientInstanceCapacity',
    'We currently do not have sufficient capacity in the Availability Zone you requested.',
  ],
  InternalError: ['InternalError', 'An internal error has occurred'],
  Unavailable: ['Unavailable', "The server is overloaded and can't handle the request."],
  RequestLimitExceeded: ['RequestLimitExceeded', 'Request limit exceeded.'],
};

/**
 * The AWS front door: tells EC2 (Query, Version 2016-11-15), STS (Query, 2011-06-15) and SSM (JSON 1.1,
 * X-Amz-Target) apart, reads the caller's region from the signature, applies throttling, injected faults
 * and DryRun, runs the action and answers in that service's own envelope. Anything unexpected is a 500
 * InternalError in that envelope, never an HTML page or a hang.
 */
export function handleWire(core: SimulatorCore, req: WireRequest): WireResponse {
  const requestId = core.ids.requestId();
  const url = new URL(req.url, 'http://sandbox');
  const target = header(req, 'x-amz-target');
  if (target !== undefined) return handleJson(core, req, url, target, requestId);
  const flat = flatParams(url.searchParams);
  // The Query protocol puts parameters in a form body (POST) or the query string (GET); a body wins.
  if (req.method === 'POST') {
    for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) flat.set(k, v);
  }
  const action = flat.get('Action') ?? '';
  const version = flat.get('Version');
  const service: Service =
    version === STS_VERSION || (version === undefined && core.sts.actions.has(action)) ? 'sts' : 'ec2';
  const log: LogBase = {
    service,
    action: action || '(none)',
    params: summarizeParams(flat),
    requestId,
    region: '',
    time: core.clock.now(),
  };
  try {
    if (!action) throw new SandboxError('MissingAction', 'The request must contain the parameter Action');
    if (version !== undefined && version !== EC2_VERSION && version !== STS_VERSION) {
      throw new SandboxError(
        'InvalidParameterValue',
        `Unsupported API version ${version}; the sandbox speaks EC2 ${EC2_VERSION} and STS ${STS_VERSION}`,
      );
    }
    const known = service === 'sts' ? core.sts.actions.has(action) : Object.hasOwn(EC2_ACTIONS, action);
    if (!known)
      throw new SandboxError('InvalidAction', `The action ${action} is not valid for this web service.`);
    const caller = callerScope(header(req, 'authorization'), url.searchParams);
    log.region = caller.region;
    if (service === 'ec2' && core.throttling && !core.buckets.take(caller.region, action, log.time)) {
      throw new SandboxError('RequestLimitExceeded', 'Request limit exceeded.');
    }
    const fault = core.faults.take(action);
    if (fault === 'DropConnection') return dropped(core, log);
    if (fault && fault !== 'DropResponse') throw faultError(fault, flat, caller);
    if (service === 'ec2' && flat.get('DryRun')?.toLowerCase() === 'true') throw dryRun(core, action);
    const tree = buildTree(flat);
    const body =
      service === 'sts'
        ? stsDocument(action, requestId, core.sts.handle(action, tree, caller, log.time))
        : ec2Document(action, requestId, EC2_ACTIONS[action]!(core.ec2Context(caller.region), tree));
    if (fault === 'DropResponse') return dropped(core, log);
    core.record({ ...log, outcome: 'ok', status: 200 });
    return xml(200, body, requestId);
  } catch (error) {
    const e = asSandboxError(error);
    core.record({ ...log, outcome: e.code, status: e.status });
    const body =
      service === 'sts'
        ? stsErrorDocument(e.status >= 500 ? 'Receiver' : 'Sender', e.code, e.message, requestId)
        : ec2ErrorDocument(e.code, e.message, requestId);
    return xml(e.status, body, requestId);
  }
}

function handleJson(
  core: SimulatorCore,
  req: WireRequest,
  url: URL,
  target: string,
  requestId: string,
): WireResponse {
  const [prefix, action = ''] = target.split('.');
  const log: LogBase = { service: 'ssm', action, params: {}, requestId, region: '', time: core.clock.now() };
  try {
    if (prefix !== 'AmazonSSM' || !SSM_ACTIONS.has(action)) {
      throw new SandboxError(
        'UnknownOperationException',
        `The operation ${target} is not supported by the sandbox.`,
      );
    }
    const caller = callerScope(header(req, 'authorization'), url.searchParams);
    log.region = caller.region;
    let body: unknown;
    try {
      body = JSON.parse(req.body.toString('utf8') || '{}');
    } catch {
      throw new SandboxError('SerializationException', 'The request body is not valid JSON.');
    }
    log.params = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    const fault = core.faults.take(action);
    if (fault === 'DropConnection') return dropped(core, log);
    if (fault === 'RequestLimitExceeded') throw new SandboxError('ThrottlingException', 'Rate exceeded', 400);
    if (fault && fault !== 'DropResponse')
      throw new SandboxError('InternalServerError', 'An internal error occurred.', 500);
    const result = handleSsm(action, body, caller.region);
    if (fault === 'DropResponse') return dropped(core, log);
    core.record({ ...log, outcome: 'ok', status: 200 });
    return json(200, result, requestId);
  } catch (error) {
    const e = asSandboxError(error);
    core.record({ ...log, outcome: e.code, status: e.status });
    return {
      kind: 'reply',
      status: e.status,
      headers: { ...jsonHeaders(requestId), 'x-amzn-errortype': e.code },
      body: JSON.stringify({ __type: e.code, message: e.message }),
    };
  }
}

function header(req: WireRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function dropped(core: SimulatorCore, log: LogBase): WireResponse {
  core.record({ ...log, outcome: 'dropped', status: 0 });
  return { kind: 'drop' };
}

function faultError(fault: FaultKind, flat: Map<string, string>, caller: CallerScope): SandboxError {
  const [code, message] = FAULT_ERRORS[fault as keyof typeof FAULT_ERRORS];
  if (fault === 'InsufficientInstanceCapacity') {
    const type = flat.get('InstanceType') ?? 'm1.small';
    return new SandboxError(
      code,
      `We currently do not have sufficient ${type} capacity in the Availability Zone you requested (${caller.region}a). Our system will be working on provisioning additional capacity. You can currently get ${type} capacity by not specifying an Availability Zone in your request or choosing ${caller.region}b, ${caller.region}c.`,
    );
  }
  return new SandboxError(code, message);
}

function dryRun(core: SimulatorCore, action: string): SandboxError {
  if (!core.dryRunDenied.has(action)) {
    return new SandboxError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
  }
  const encoded = Buffer.from(core.ids.nextHex('authz') + core.ids.nextHex('authz'), 'hex').toString(
    'base64url',
  );
  return new SandboxError(
    'UnauthorizedOperation',
    `You are not authorized to perform this operation. Encoded authorization failure message: ${encoded}`,
  );
}

function asSandboxError(error: unknown): SandboxError {
  if (error instanceof SandboxError) return error;
  return new SandboxError(
    'InternalError',
    `An internal error has occurred (${error instanceof Error ? error.message : String(error)})`,
  );
}

function xml(status: number, body: string, requestId: string): WireResponse {
  return {
    kind: 'reply',
    status,
    headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId },
    body,
  };
}

function jsonHeaders(requestId: string): Record<string, string> {
  return { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId };
}

function json(status: number, value: unknown, requestId: string): WireResponse {
  return { kind: 'reply', status, headers: jsonHeaders(requestId), body: JSON.stringify(value) };
}
