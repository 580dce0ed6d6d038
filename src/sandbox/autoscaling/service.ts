import type { SimulatorCore } from '../core';
import { SandboxError } from '../wire/errors';
import type { QueryService } from '../wire/service';
import { awsQueryDocument, awsQueryErrorDocument } from '../wire/xml';
import type { AutoScalingHandler } from './context';
import {
  createAutoScalingGroup,
  deleteAutoScalingGroup,
  describeAutoScalingGroups,
  setInstanceHealth,
  updateAutoScalingGroup,
} from './groups';
import {
  createLaunchConfiguration,
  deleteLaunchConfiguration,
  describeLaunchConfigurations,
} from './launch-configurations';
import {
  cancelInstanceRefresh,
  describeInstanceRefreshes,
  rollbackInstanceRefresh,
  startInstanceRefresh,
} from './refreshes';

export const AUTO_SCALING_NAMESPACE = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';

/** Every Auto Scaling action the Sandbox speaks; anything else is InvalidAction. */
export const AUTO_SCALING_ACTIONS: Readonly<Record<string, AutoScalingHandler>> = {
  CreateAutoScalingGroup: createAutoScalingGroup,
  DescribeAutoScalingGroups: describeAutoScalingGroups,
  UpdateAutoScalingGroup: updateAutoScalingGroup,
  DeleteAutoScalingGroup: deleteAutoScalingGroup,
  SetInstanceHealth: setInstanceHealth,
  StartInstanceRefresh: startInstanceRefresh,
  DescribeInstanceRefreshes: describeInstanceRefreshes,
  CancelInstanceRefresh: cancelInstanceRefresh,
  RollbackInstanceRefresh: rollbackInstanceRefresh,
  CreateLaunchConfiguration: createLaunchConfiguration,
  DescribeLaunchConfigurations: describeLaunchConfigurations,
  DeleteLaunchConfiguration: deleteLaunchConfiguration,
};

function handle(
  core: SimulatorCore,
  action: string,
  tree: Parameters<AutoScalingHandler>[1],
  region: string,
) {
  const now = core.clock.now();
  if (core.throttling && !core.autoScalingBuckets.take(region, action, now)) {
    throw new SandboxError('Throttling', 'Rate exceeded', 400);
  }
  return core.autoScaling.at(core, region, now, (asRegion) =>
    AUTO_SCALING_ACTIONS[action]!({ core, region: asRegion, now, accountId: core.accountId }, tree),
  );
}

/** EC2 Auto Scaling: the awsQuery protocol (like STS), API version 2011-01-01. */
export const AUTO_SCALING_SERVICE: QueryService = {
  protocol: 'query',
  name: 'autoscaling',
  version: '2011-01-01',
  signingName: 'autoscaling',
  has: (action) => Object.hasOwn(AUTO_SCALING_ACTIONS, action),
  handle: (core, action, tree, caller, requestId) =>
    awsQueryDocument(AUTO_SCALING_NAMESPACE, action, requestId, handle(core, action, tree, caller.region)),
  errorDocument: (error, requestId) =>
    awsQueryErrorDocument(
      AUTO_SCALING_NAMESPACE,
      error.status >= 500 ? 'Receiver' : 'Sender',
      error.code,
      error.message,
      requestId,
    ),
};
