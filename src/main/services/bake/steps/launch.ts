import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import { AppError } from '../../../../shared/result';
import { builderRunInstancesInput } from '../../aws/builder-launch';
import { awsErrorCode } from '../aws-call';
import type { BakeRun } from '../bake-run';
import { BakeFailure } from '../failure';
import { launchKey } from './deliver';

/** Capacity often comes back within a minute or two; beyond that the person should choose differently. */
const CAPACITY_RETRY_MS = [20_000, 60_000];

/**
 * RunInstances with the wrapped script as user data. ClientToken = bake id, so a retried launch (after a
 * dropped connection, or by recovery) returns the same instance instead of starting a second one. The
 * instance id is journaled before anything else happens.
 */
export async function launch(run: BakeRun): Promise<string> {
  const { base, userData } = run.state;
  if (!base || !userData) throw new AppError('INTERNAL', 'launch ran before preflight.');
  const input = builderRunInstancesInput(run.project, {
    bakeId: run.id,
    environment: run.record.environment,
    image: base,
    userData: userData.base64,
    clientToken: run.id,
    ...(run.record.scriptSha256 ? { scriptSha256: run.record.scriptSha256 } : {}),
    // Distribution encrypts at launch (see delivery/encryption.ts): the image is encrypted from the start.
    ...(launchKey(run) ? { kmsKeyId: launchKey(run) } : {}),
  });
  run.state.launchSent = true;
  let instanceId: string | undefined;
  for (let attempt = 0; instanceId === undefined; attempt++) {
    try {
      const out = await run.call('RunInstances', (o) =>
        run.connection.clients.ec2.send(new RunInstancesCommand(input), o),
      );
      instanceId = out.Instances?.[0]?.InstanceId;
      if (!instanceId) throw new AppError('AWS_ERROR', 'RunInstances answered without an instance id.');
    } catch (error) {
      // A refusal is a definite answer: nothing was launched. Anything else (cancel, lost connection) is not.
      if (hasAwsAnswer(error)) run.state.launchAnswered = true;
      if (awsErrorCode(error) !== 'InsufficientInstanceCapacity') throw error;
      const wait = CAPACITY_RETRY_MS[attempt];
      if (wait === undefined) throw noCapacity(run.project.instanceType);
      await run.emit({
        type: 'step',
        step: 'launch',
        status: 'running',
        message: `EC2 has no ${run.project.instanceType} capacity right now; trying again in ${wait / 1000} s.`,
      });
      await run.clock.sleep(wait, run.signal);
    }
  }
  run.state.instanceId = instanceId;
  run.launched(run.clock.now());
  await run.emit({ type: 'resource', kind: 'instance', id: instanceId });
  const gz = userData.gzipped ? `, gzipped to ${userData.bytes} bytes` : '';
  return `launched ${instanceId} (${run.project.instanceType}, user data ${userData.rawBytes} bytes${gz})`;
}

function noCapacity(instanceType: string): BakeFailure {
  return new BakeFailure(
    'AWS_ERROR',
    `EC2 has no ${instanceType} capacity for this launch right now (InsufficientInstanceCapacity). ` +
      'Try again later, another instance type, or a subnet in another availability zone.',
    { details: { awsCode: 'InsufficientInstanceCapacity' } },
  );
}

export function hasAwsAnswer(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}
