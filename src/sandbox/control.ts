import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { FaultSpecSchema, LaunchTimelineSchema, ScenarioSchema } from './scenario';
import type { Simulator } from './simulator';
import type { WireRequest, WireResponse } from './wire/dispatch';

export const CONTROL_PREFIX = '/_sandbox/';
export const CONTROL_TOKEN_HEADER = 'x-sandbox-token';

const DryRunSchema = z.strictObject({ action: z.string().min(1).max(64), allowed: z.boolean() });
const HealthSchema = z.strictObject({
  unhealthyImages: z.array(z.string().regex(/^ami-[0-9a-f]{8,17}$/, 'not an AMI id')).max(1000),
});
const oneOrMany = <T extends z.ZodType>(schema: T) => z.union([schema, z.array(schema).max(10_000)]);

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The sandbox's loopback control API for tests and other processes (JSON in, JSON out). Every route needs
 * the random token in `x-sandbox-token` (401 without):
 *
 *   GET    /_sandbox/state[?region=]            instances, images, snapshots, volumes, scenario, faults
 *   GET    /_sandbox/calls[?action=]            the call log
 *   POST   /_sandbox/reset
 *   GET|PUT /_sandbox/scenario                  Scenario
 *   GET|POST|DELETE /_sandbox/faults            FaultSpec or FaultSpec[] to add; DELETE clears
 *   POST   /_sandbox/timelines                  LaunchTimeline or LaunchTimeline[]
 *   POST   /_sandbox/instances/<id>/stop|terminate   someone else acts on the instance
 *   PUT    /_sandbox/dry-run                    { action, allowed }
 *   GET    /_sandbox/vm                         the VM mode: image, accelerator, QEMU pids, disk files
 *   GET    /_sandbox/autoscaling[?region=]      groups (with their instances) and instance refreshes
 *   GET|PUT /_sandbox/health                    { unhealthyImages }: group instances of these images fail
 *                                               their health checks
 */
export function handleControl(sim: Simulator, token: string, req: WireRequest): WireResponse {
  try {
    const given = Buffer.from(header(req, CONTROL_TOKEN_HEADER) ?? '');
    const expected = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ControlError(401, `missing or wrong ${CONTROL_TOKEN_HEADER} header`);
    }
    const url = new URL(req.url, 'http://sandbox');
    const route = `${req.method} ${url.pathname.slice(CONTROL_PREFIX.length - 1)}`;
    return reply(200, dispatch(sim, route, url, req));
  } catch (error) {
    if (error instanceof ControlError) return reply(error.status, { error: error.message });
    return reply(500, { error: error instanceof Error ? error.message : String(error) });
  }
}

function dispatch(sim: Simulator, route: string, url: URL, req: WireRequest): unknown {
  const region = url.searchParams.get('region') ?? undefined;
  const query = region ? { region } : {};
  const behindBack = /^POST \/instances\/(i-[0-9a-f]+)\/(stop|terminate)$/.exec(route);
  if (behindBack) {
    const [, id, verb] = behindBack;
    try {
      return verb === 'stop' ? sim.stopBehindBack(id!) : sim.terminateBehindBack(id!);
    } catch (error) {
      throw new ControlError(409, error instanceof Error ? error.message : String(error));
    }
  }
  switch (route) {
    case 'GET /state':
      return {
        instances: sim.instances(query),
        images: sim.images(query),
        snapshots: sim.snapshots(query),
        volumes: sim.volumes(query),
        scenario: sim.scenario(),
        faults: sim.faults(),
        pendingTimelines: sim.pendingTimelines(),
      };
    case 'GET /calls': {
      const action = url.searchParams.get('action') ?? undefined;
      return sim.calls(action ? { action } : {});
    }
    case 'POST /reset':
      sim.reset();
      return { ok: true };
    case 'GET /scenario':
      return sim.scenario();
    case 'PUT /scenario':
    case 'POST /scenario':
      sim.setScenario(body(req, ScenarioSchema));
      return sim.scenario();
    case 'GET /faults':
      return sim.faults();
    case 'POST /faults':
      for (const spec of list(body(req, oneOrMany(FaultSpecSchema)))) sim.injectFault(spec);
      return sim.faults();
    case 'DELETE /faults':
      sim.clearFaults();
      return [];
    case 'POST /timelines':
      for (const timeline of list(body(req, oneOrMany(LaunchTimelineSchema)))) sim.pushTimeline(timeline);
      return { pendingTimelines: sim.pendingTimelines() };
    case 'GET /vm': {
      const status = sim.vm();
      if (!status) throw new ControlError(404, 'this Sandbox runs no VMs (start it with a VM image)');
      return status;
    }
    case 'GET /autoscaling':
      return {
        groups: sim.autoScalingGroups(query),
        refreshes: sim.instanceRefreshes(query),
        unhealthyImages: sim.unhealthyImages(),
      };
    case 'GET /health':
      return { unhealthyImages: sim.unhealthyImages() };
    case 'PUT /health':
      sim.setUnhealthyImages(body(req, HealthSchema).unhealthyImages);
      return { unhealthyImages: sim.unhealthyImages() };
    case 'PUT /dry-run': {
      const { action, allowed } = body(req, DryRunSchema);
      sim.setDryRunAllowed(action, allowed);
      return { action, allowed };
    }
    default:
      throw new ControlError(404, `no control route ${route}`);
  }
}

function list<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

function body<T extends z.ZodType>(req: WireRequest, schema: T): z.output<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw new ControlError(400, 'the body must be JSON');
  }
  const result = schema.safeParse(parsed);
  if (!result.success)
    throw new ControlError(
      400,
      result.error.issues
        .map((issue) =>
          issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message,
        )
        .join('; '),
    );
  return result.data;
}

function header(req: WireRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function reply(status: number, value: unknown): WireResponse {
  return {
    kind: 'reply',
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(value),
  };
}
