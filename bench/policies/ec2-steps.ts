import {
  CreateImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import type { WaiterState } from './waiters';

/**
 * The EC2 calls the reference policies are made of, each one request, with the acceptors of the AWS SDK's
 * EC2 waiters (@aws-sdk/client-ec2 3.1178.0, dist-cjs/index.js: waitForInstanceRunning, …Stopped,
 * …Terminated, waitForImageAvailable). A policy is then just its order of calls and its sleeps.
 */
export interface BuilderSpec {
  imageId: string;
  instanceType: string;
  /** base64, as RunInstances takes it. */
  userData: string;
}

export async function runInstance(ec2: EC2Client, spec: BuilderSpec): Promise<string> {
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: spec.imageId,
      InstanceType: spec.instanceType as never,
      MinCount: 1,
      MaxCount: 1,
      UserData: spec.userData,
    }),
  );
  const id = out.Instances?.[0]?.InstanceId;
  if (!id) throw new Error('RunInstances answered without an instance id');
  return id;
}

type InstanceAcceptors = { success: string; failure: readonly string[] };

/** success when every instance is in `success`, failure when any is in one of `failure`; errors retry. */
export const INSTANCE_RUNNING: InstanceAcceptors = {
  success: 'running',
  failure: ['shutting-down', 'terminated', 'stopping'],
};
export const INSTANCE_STOPPED: InstanceAcceptors = { success: 'stopped', failure: ['pending', 'terminated'] };
export const INSTANCE_TERMINATED: InstanceAcceptors = {
  success: 'terminated',
  failure: ['pending', 'stopping'],
};

export function instanceCheck(
  ec2: EC2Client,
  instanceId: string,
  acceptors: InstanceAcceptors,
): () => Promise<WaiterState> {
  return async () => {
    try {
      const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      const states = (out.Reservations ?? [])
        .flatMap((r) => r.Instances ?? [])
        .map((i) => i.State?.Name ?? '');
      if (states.length > 0 && states.every((s) => s === acceptors.success)) return 'success';
      if (states.some((s) => acceptors.failure.includes(s))) return 'failure';
    } catch {
      // The SDK's checkState turns any error (InvalidInstanceID.NotFound, throttling…) into RETRY.
    }
    return 'retry';
  };
}

/** One DescribeInstances by id, as a tool does to learn an instance's address. */
export async function describeInstance(ec2: EC2Client, instanceId: string): Promise<void> {
  await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
}

/** The state of one image (DescribeImages by id), or undefined if the call failed. */
export async function imageState(ec2: EC2Client, imageId: string): Promise<string | undefined> {
  try {
    const out = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
    return out.Images?.[0]?.State;
  } catch {
    return undefined;
  }
}

export function imageAvailableCheck(ec2: EC2Client, imageId: string): () => Promise<WaiterState> {
  return async () => {
    const state = await imageState(ec2, imageId);
    if (state === 'available') return 'success';
    return state === 'failed' ? 'failure' : 'retry';
  };
}

export async function stopInstance(ec2: EC2Client, instanceId: string): Promise<void> {
  await ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
}

export async function createImage(
  ec2: EC2Client,
  instanceId: string,
  name: string,
  noReboot: boolean,
): Promise<string> {
  const out = await ec2.send(
    new CreateImageCommand({ InstanceId: instanceId, Name: name, NoReboot: noReboot }),
  );
  if (!out.ImageId) throw new Error('CreateImage answered without an image id');
  return out.ImageId;
}

export async function terminateInstance(ec2: EC2Client, instanceId: string): Promise<void> {
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
}
