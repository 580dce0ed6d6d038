import type { CallRecord, SimulatorCore } from '../core';
import type { FaultKind } from '../scenario';
import { JSON_SERVICES, QUERY_SERVICES } from '../services';
import { authenticate, signingService, type AuthDialect, type CallerScope } from './auth';
import { SandboxError } from './errors';
import { buildTree, flatParams, summarizeParams } from './query';
import type { JsonService, QueryService } from './service';
import type { WireRequest, WireResponse } from './types';

export type { WireRequest, WireResponse } from './types';

type LogBase = Omit<CallRecord, 'seq' | 'outcome' | 'status'>;

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
 * The AWS front door: tells the services of `services.ts` apart — Query services by their Version (or,
 * without one, the SigV4 signing name), JSON services by X-Amz-Target — reads the caller's region from the
 * signature, applies throttling, injected faults and DryRun, runs the action and answers in that service's
 * own envelope. Anything unexpected is a 500 InternalError in that envelope, never an HTML page or a hang.
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
  const service = queryService(version, signingService(req), action);
  const log: LogBase = {
    service: service.name,
    action: action || '(none)',
    params: summarizeParams(flat),
    requestId,
    region: '',
    time: core.clock.now(),
  };
  try {
    if (!action) throw new SandboxError('MissingAction', 'The request must contain the parameter Action');
    if (version !== undefined && version !== service.version) {
      const spoken = QUERY_SERVICES.map((s) => `${s.name.toUpperCase()} ${s.version}`).join(', ');
      throw new SandboxError(
        'InvalidParameterValue',
        `Unsupported API version ${version}; the sandbox speaks ${spoken}`,
      );
    }
    if (!service.has(action))
      throw new SandboxError('InvalidAction', `The action ${action} is not valid for this web service.`);
    const caller = authenticated(core, req, service.ec2Rules ? 'ec2' : 'query');
    log.region = caller.region;
    if (service.ec2Rules && core.throttling && !core.buckets.take(caller.region, action, log.time)) {
      throw new SandboxError('RequestLimitExceeded', 'Request limit exceeded.');
    }
    const fault = core.faults.take(action);
    if (fault === 'DropConnection') return dropped(core, log);
    if (fault && fault !== 'DropResponse') throw faultError(fault, flat, caller);
    if (service.ec2Rules && flat.get('DryRun')?.toLowerCase() === 'true') throw dryRun(core, action);
    const body = service.handle(core, action, buildTree(flat), caller, requestId);
    if (fault === 'DropResponse') return dropped(core, log);
    core.record({ ...log, outcome: 'ok', status: 200 });
    return xml(200, body, requestId);
  } catch (error) {
    const e = asSandboxError(error);
    core.record({ ...log, outcome: e.code, status: e.status });
    return xml(e.status, service.errorDocument(e, requestId), requestId);
  }
}

/** By Version when the request names one, else by the signing name, else the service that knows the action. */
function queryService(
  version: string | undefined,
  signing: string | undefined,
  action: string,
): QueryService {
  const ec2 = QUERY_SERVICES[0]!;
  if (version !== undefined) return QUERY_SERVICES.find((s) => s.version === version) ?? ec2;
  return (
    QUERY_SERVICES.find((s) => s.signingName === signing) ?? QUERY_SERVICES.find((s) => s.has(action)) ?? ec2
  );
}

function authenticated(core: SimulatorCore, req: WireRequest, dialect: AuthDialect): CallerScope {
  return authenticate(req, core.credentials, {
    dialect,
    accountId: core.accountId,
    now: core.clock.now(),
    wallClock: Date.now(),
  });
}

function handleJson(
  core: SimulatorCore,
  req: WireRequest,
  url: URL,
  target: string,
  requestId: string,
): WireResponse {
  const [prefix = '', action = ''] = target.split('.');
  const service: JsonService | undefined = JSON_SERVICES.find((s) => s.targetPrefix === prefix);
  const contentType = service?.contentType ?? 'application/x-amz-json-1.1';
  const log: LogBase = {
    service: service?.name ?? prefix,
    action,
    params: {},
    requestId,
    region: '',
    time: core.clock.now(),
  };
  try {
    if (!service || !service.has(action)) {
      throw new SandboxError(
        'UnknownOperationException',
        `The operation ${target} is not supported by the sandbox.`,
      );
    }
    const caller = authenticated(core, req, 'json');
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
    const result = service.handle(core, action, body, caller);
    if (fault === 'DropResponse') return dropped(core, log);
    core.record({ ...log, outcome: 'ok', status: 200 });
    return json(200, result, requestId, contentType);
  } catch (error) {
    const e = asSandboxError(error);
    core.record({ ...log, outcome: e.code, status: e.status });
    return {
      kind: 'reply',
      status: e.status,
      headers: { ...jsonHeaders(requestId, contentType), 'x-amzn-errortype': e.code },
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

function jsonHeaders(requestId: string, contentType: string): Record<string, string> {
  return { 'content-type': contentType, 'x-amzn-requestid': requestId };
}

function json(status: number, value: unknown, requestId: string, contentType: string): WireResponse {
  return { kind: 'reply', status, headers: jsonHeaders(requestId, contentType), body: JSON.stringify(value) };
}
