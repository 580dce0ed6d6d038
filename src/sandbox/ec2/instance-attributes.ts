import { z } from 'zod';
import { SandboxError } from '../wire/errors';
import { missing, parseParams } from '../wire/query';
import type { XmlValue } from '../wire/xml';
import type { Ec2Handler } from './context';
import { checkIdFormat, notFound } from './errors';

const AttributeSchema = z.object({ InstanceId: z.string().optional(), Attribute: z.string().optional() });

/**
 * DescribeInstanceAttribute for what a builder was launched with: its user data (base64, exactly as EC2
 * hands it to anyone with ec2:DescribeInstanceAttribute — why secrets never travel there), its instance
 * type and its shutdown behaviour. Other attributes are not modelled and say so.
 */
export const describeInstanceAttribute: Ec2Handler = (ctx, tree) => {
  const p = parseParams(AttributeSchema, tree);
  const instanceId = p.InstanceId ?? missing('InstanceId');
  const attribute = p.Attribute ?? missing('Attribute');
  checkIdFormat('instance', instanceId);
  ctx.region.sweep(ctx.now, ctx.timings.terminatedVisibleMs);
  const instance = ctx.region.instances.get(instanceId);
  if (!instance) throw notFound('instance', [instanceId]);
  const body: { [key: string]: XmlValue } = { instanceId };
  switch (attribute) {
    case 'userData':
      body.userData = instance.userData.length > 0 ? { value: instance.userData.toString('base64') } : {};
      return body;
    case 'instanceType':
      body.instanceType = { value: instance.instanceType };
      return body;
    case 'instanceInitiatedShutdownBehavior':
      body.instanceInitiatedShutdownBehavior = { value: instance.shutdownBehavior };
      return body;
    default:
      throw new SandboxError(
        'InvalidParameterValue',
        `The sandbox models the instance attributes userData, instanceType and instanceInitiatedShutdownBehavior, not ${attribute}.`,
      );
  }
};
