import { TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { AppError } from '../../../../shared/result';
import type { BakeRun } from '../bake-run';

/** Terminates the builder once its image exists. EC2's answer (shutting-down) is enough: it cannot come back. */
export async function terminateBuilder(run: BakeRun, signal: AbortSignal = run.signal): Promise<string> {
  const instanceId = run.state.instanceId;
  if (!instanceId) throw new AppError('INTERNAL', 'terminate ran before launch.');
  const out = await run.call(
    'TerminateInstances',
    (o) => run.connection.clients.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }), o),
    { signal },
  );
  const state =
    out.TerminatingInstances?.find((i) => i.InstanceId === instanceId)?.CurrentState?.Name ?? 'shutting-down';
  return `terminated ${instanceId} (${state})`;
}
