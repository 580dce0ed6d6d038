import { z } from 'zod';
import { findInstanceType } from '../catalogue/instance-types';
import { SandboxError } from '../wire/errors';
import { missing, parseParams, qBool } from '../wire/query';
import { isoTime, type XmlValue } from '../wire/xml';
import type { Ec2Context, Ec2Handler } from './context';
import { checkIdFormat, incorrectState, lookupAll, notFound } from './errors';
import { applyFilters, type FilterFields } from './filters';
import { instanceXml, stateChangeXml } from './instance-xml';
import {
  planStart,
  planStop,
  planTerminate,
  stateAt,
  transitionAt,
  userInitiated,
  USER_SHUTDOWN,
} from './lifecycle';
import { paginate } from './pagination';
import { FilterListSchema, IdListSchema, PagingSchema } from './params';
import { STATE_CODES, type InstanceRecord, type InstanceStateName } from './records';

const instanceFields = (now: number): FilterFields<InstanceRecord> => ({
  'instance-id': (i) => i.instanceId,
  'instance-state-name': (i) => stateAt(i, now),
  'instance-state-code': (i) => STATE_CODES[stateAt(i, now)],
  'instance-type': (i) => i.instanceType,
  'image-id': (i) => i.imageId,
  'reservation-id': (i) => i.reservationId,
  'subnet-id': (i) => i.subnet.subnetId,
  'vpc-id': (i) => i.vpcId,
  'availability-zone': (i) => i.subnet.zone.name,
  'private-ip-address': (i) => i.privateIp,
  architecture: (i) => i.architecture,
  'key-name': (i) => i.keyName,
  'client-token': (i) => i.clientToken,
  'launch-time': (i) => isoTime(i.launchTime),
  'state-reason-code': (i) => transitionAt(i, now).reason?.code,
  'instance.group-id': (i) => i.securityGroups.map((g) => g.groupId),
});

const DescribeInstancesSchema = z.object({
  InstanceId: IdListSchema,
  Filter: FilterListSchema,
  ...PagingSchema,
});

export const describeInstances: Ec2Handler = (ctx, tree) => {
  const p = parseParams(DescribeInstancesSchema, tree);
  ctx.region.sweep(ctx.now, ctx.timings.terminatedVisibleMs);
  if (p.InstanceId?.length && p.MaxResults !== undefined) {
    throw new SandboxError(
      'InvalidParameterCombination',
      'The parameter instancesSet cannot be used with the parameter maxResults',
    );
  }
  const candidates = p.InstanceId?.length
    ? lookupAll('instance', p.InstanceId, (id) => ctx.region.instances.get(id))
    : [...ctx.region.instances.values()];
  const matching = applyFilters(candidates, p.Filter, instanceFields(ctx.now), (i) => i.tags);
  const { page, nextToken } = paginate(matching, 'DescribeInstances', p.MaxResults, p.NextToken, {
    min: 5,
    max: 1000,
  });
  const reservations = new Map<string, InstanceRecord[]>();
  for (const instance of page)
    reservations.set(instance.reservationId, [...(reservations.get(instance.reservationId) ?? []), instance]);
  return {
    reservationSet: [...reservations].map(([reservationId, instances]) => ({
      reservationId,
      ownerId: ctx.accountId,
      groupSet: [],
      instancesSet: instances.map((i) => instanceXml(i, ctx.now, ctx.region.volumes)),
    })),
    nextToken,
  };
};

const InstanceIdsSchema = z.object({ InstanceId: IdListSchema });

function targets(ctx: Ec2Context, tree: Parameters<Ec2Handler>[1]): InstanceRecord[] {
  const ids = parseParams(InstanceIdsSchema, tree).InstanceId;
  if (!ids?.length) missing('InstanceId');
  ctx.region.sweep(ctx.now, ctx.timings.terminatedVisibleMs);
  return lookupAll('instance', ids, (id) => ctx.region.instances.get(id));
}

/** Stops a running instance, as its owner would; a stopped or stopping one is left as it is. */
export function stopInstance(
  instance: InstanceRecord,
  now: number,
): { previous: InstanceStateName; current: InstanceStateName } {
  const previous = stateAt(instance, now);
  if (previous === 'stopped' || previous === 'stopping') return { previous, current: previous };
  if (previous !== 'running') {
    throw incorrectState(
      `This instance '${instance.instanceId}' is not in a state from which it can be stopped.`,
    );
  }
  if (instance.vm) instance.vm.stop(userInitiated(now));
  else planStop(instance, now, USER_SHUTDOWN, userInitiated(now));
  return { previous, current: 'stopping' };
}

export function terminateInstance(
  instance: InstanceRecord,
  now: number,
): { previous: InstanceStateName; current: InstanceStateName } {
  const previous = stateAt(instance, now);
  if (previous === 'terminated' || previous === 'shutting-down') return { previous, current: previous };
  if (instance.vm) instance.vm.terminate(userInitiated(now));
  else planTerminate(instance, now, USER_SHUTDOWN, userInitiated(now));
  return { previous, current: 'shutting-down' };
}

function checkAll(
  instances: InstanceRecord[],
  now: number,
  allowed: InstanceStateName[],
  verb: string,
): void {
  for (const instance of instances) {
    if (!allowed.includes(stateAt(instance, now))) {
      throw incorrectState(
        `This instance '${instance.instanceId}' is not in a state from which it can be ${verb}.`,
      );
    }
  }
}

export const stopInstances: Ec2Handler = (ctx, tree) => {
  const instances = targets(ctx, tree);
  checkAll(instances, ctx.now, ['running', 'stopping', 'stopped'], 'stopped');
  return {
    instancesSet: instances.map((i) => {
      const { previous, current } = stopInstance(i, ctx.now);
      return stateChangeXml(i.instanceId, previous, current);
    }),
  };
};

export const startInstances: Ec2Handler = (ctx, tree) => {
  const instances = targets(ctx, tree);
  checkAll(instances, ctx.now, ['stopped'], 'started');
  return {
    instancesSet: instances.map((i) => {
      if (i.vm) i.vm.start();
      else planStart(i, ctx.now, ctx.timings.bootMs);
      return stateChangeXml(i.instanceId, 'stopped', 'pending');
    }),
  };
};

export const terminateInstances: Ec2Handler = (ctx, tree) => {
  const instances = targets(ctx, tree);
  return {
    instancesSet: instances.map((i) => {
      const { previous, current } = terminateInstance(i, ctx.now);
      return stateChangeXml(i.instanceId, previous, current);
    }),
  };
};

const CONSOLE_LIMIT = 64 * 1024;
const ConsoleSchema = z.object({ InstanceId: z.string().optional(), Latest: qBool.optional() });

/**
 * Without Latest, EC2 hands out the output buffered at the last state transition (or reboot); with
 * Latest, what is on the console now. Either way, only the last 64 KB.
 */
export const getConsoleOutput: Ec2Handler = (ctx, tree) => {
  const p = parseParams(ConsoleSchema, tree);
  const instanceId = p.InstanceId ?? missing('InstanceId');
  checkIdFormat('instance', instanceId);
  ctx.region.sweep(ctx.now, ctx.timings.terminatedVisibleMs);
  const instance = ctx.region.instances.get(instanceId);
  if (!instance) throw notFound('instance', [instanceId]);
  if (p.Latest && findInstanceType(instance.instanceType)?.hypervisor === 'xen') {
    throw new SandboxError(
      'UnsupportedOperation',
      `The instance type ${instance.instanceType} does not support retrieving the latest console output.`,
    );
  }
  if (instance.vm) {
    const output = instance.vm.console(p.Latest ?? false);
    return {
      instanceId,
      timestamp: isoTime(ctx.now),
      ...(output.length > 0 ? { output: output.toString('base64') } : {}),
    };
  }
  // Nothing posted yet (a Xen instance shortly after launch): no output, as EC2 answers then.
  const posted = instance.consoleRefreshes.filter((at) => at <= ctx.now);
  const cutoff = p.Latest ? ctx.now : posted.length > 0 ? Math.max(...posted) : undefined;
  const lines =
    cutoff === undefined ? [] : instance.console.filter((l) => l.at <= cutoff).sort((a, b) => a.at - b.at);
  const text = lines.map((l) => `${l.text}\n`).join('');
  const bytes = Buffer.from(text, 'utf8');
  const tail = bytes.length > CONSOLE_LIMIT ? bytes.subarray(bytes.length - CONSOLE_LIMIT) : bytes;
  const body: { [key: string]: XmlValue } = { instanceId, timestamp: isoTime(cutoff ?? ctx.now) };
  if (tail.length > 0) body.output = tail.toString('base64');
  return body;
};
