import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../../src/main/services/aws/clients';
import { checkPermissions } from '../../../src/main/services/aws/permissions';
import { resolveTarget } from '../../../src/main/services/aws/target';
import { startSandbox, type SandboxHandle } from '../../../src/sandbox';
import {
  PermissionReportSchema,
  type PermissionReport,
  type PermissionResult,
} from '../../../src/shared/aws';
import { AppError } from '../../../src/shared/result';
import { project } from './project-fixtures';

let sandbox: SandboxHandle;
let clients: AwsClients;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'permissions', throttling: false });
  const target = await resolveTarget({
    profile: 'sandbox',
    env: {},
    sandbox: () => Promise.resolve(sandbox),
  });
  clients = createAwsClients(target, { maxAttempts: 1 });
});
afterEach(() => sandbox.sim.reset());
afterAll(async () => {
  clients.destroy();
  await sandbox.close();
});

const web = project({
  subnetId: 'subnet-0abc1234',
  securityGroupIds: ['sg-0abc1234'],
  keyName: 'sandbox-key',
});

function result(report: PermissionReport, action: string): PermissionResult {
  const found = report.results.find((r) => r.action === action);
  if (!found) throw new Error(`no result for ${action}`);
  return found;
}

const statuses = (report: PermissionReport) =>
  Object.fromEntries(report.results.map((r) => [r.action, r.status]));

describe('checkPermissions against the sandbox', () => {
  it('allows everything by default, dry-running the launch with the project’s real parameters', async () => {
    const report = PermissionReportSchema.parse(await checkPermissions(clients, web));
    expect(report.ok).toBe(true);
    expect(report.results).toHaveLength(12);
    expect(report.results.every((r) => r.status === 'allowed' && !r.note)).toBe(true);
    expect(report.identity.arn).toBe('arn:aws:iam::123456789012:user/sandbox');
    expect(report.target).toMatchObject({ profile: 'sandbox', simulated: true, region: 'us-east-1' });
    expect(report.baseImage).toMatchObject({
      architecture: 'x86_64',
      name: 'al2023-ami-2023.6.20241031.0-kernel-6.1-x86_64',
    });

    const params = sandbox.sim.calls({ action: 'RunInstances' }).at(-1)?.params ?? {};
    expect(params).toMatchObject({
      DryRun: 'true',
      ImageId: report.baseImage?.imageId,
      InstanceType: 't3.micro',
      SubnetId: 'subnet-0abc1234',
      'SecurityGroupId.1': 'sg-0abc1234',
      KeyName: 'sandbox-key',
      'MetadataOptions.HttpTokens': 'required',
      InstanceInitiatedShutdownBehavior: 'stop',
    });
    const tags = Object.entries(params).filter(([key]) => key.startsWith('TagSpecification.1.Tag.'));
    expect(tags).toContainEqual([expect.stringMatching(/\.Key$/), 'quadraxis:role']);
    expect(sandbox.sim.calls({ action: 'GetParameter' })).toHaveLength(2);
  });

  it('reports denied actions with EC2’s answer and fails the report', async () => {
    sandbox.sim.setDryRunAllowed('TerminateInstances', false);
    sandbox.sim.setDryRunAllowed('CreateImage', false);
    const report = await checkPermissions(clients, web);
    expect(report.ok).toBe(false);
    expect(result(report, 'ec2:TerminateInstances')).toEqual({
      action: 'ec2:TerminateInstances',
      status: 'denied',
      code: 'UnauthorizedOperation',
      message: 'You are not authorized to perform this operation.',
    });
    expect(result(report, 'ec2:CreateImage').status).toBe('denied');
    expect(
      report.results
        .filter((r) => r.status !== 'allowed')
        .map((r) => r.action)
        .sort(),
    ).toEqual(['ec2:CreateImage', 'ec2:TerminateInstances']);
  });

  it('accepts CreateTags that is allowed only while creating, but not when launching is denied too', async () => {
    sandbox.sim.setDryRunAllowed('CreateTags', false);
    const onCreate = await checkPermissions(clients, web);
    expect(onCreate.ok).toBe(true);
    expect(result(onCreate, 'ec2:CreateTags').note).toMatch(/^Allowed while creating/);

    sandbox.sim.setDryRunAllowed('RunInstances', false);
    const neither = await checkPermissions(clients, web);
    expect(statuses(neither)).toMatchObject({ 'ec2:CreateTags': 'denied', 'ec2:RunInstances': 'denied' });
  });

  it('reports an unresolvable base image as an error, not a denial', async () => {
    const missing = project({ baseImage: { kind: 'ssm', parameter: '/aws/service/nowhere/ami-id' } });
    const report = await checkPermissions(clients, missing);
    expect(report.ok).toBe(false);
    expect(report.baseImage).toBeUndefined();
    expect(result(report, 'ec2:RunInstances')).toMatchObject({
      status: 'error',
      code: 'NOT_FOUND',
      message: 'The SSM parameter /aws/service/nowhere/ami-id does not exist in us-east-1.',
    });
    expect(result(report, 'ssm:GetParameter')).toMatchObject({ status: 'error', code: 'ParameterNotFound' });
    expect(result(report, 'ec2:StopInstances').status).toBe('allowed');
  });

  it('reads "no such instance" for a placeholder id as authorized', async () => {
    const fixedImage = project({ baseImage: { kind: 'id', imageId: 'ami-0123456789abcdef0' } });
    const scoped = createAwsClients(clients.target, { maxAttempts: 1 });
    // Real EC2 answers a placeholder this way once authorization passed; the sandbox answers DryRun first.
    scoped.ec2.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName !== 'StopInstancesCommand') return next(args);
        const error = Object.assign(new Error("The instance ID 'i-00000000000000000' does not exist"), {
          name: 'InvalidInstanceID.NotFound',
          $metadata: { httpStatusCode: 400 },
        });
        return Promise.reject(error);
      },
      { step: 'initialize' },
    );
    try {
      const report = await checkPermissions(scoped, fixedImage, {
        imageId: 'ami-0123456789abcdef0',
        name: 'given',
        architecture: 'x86_64',
        source: fixedImage.baseImage,
      });
      expect(result(report, 'ec2:StopInstances')).toMatchObject({
        status: 'allowed',
        code: 'InvalidInstanceID.NotFound',
      });
      expect(result(report, 'ec2:StopInstances').note).toMatch(/placeholder/);
      expect(report.results.map((r) => r.action)).not.toContain('ssm:GetParameter');
      expect(sandbox.sim.calls({ action: 'DescribeImages' }).filter((c) => c.outcome === 'ok')).toHaveLength(
        0,
      );
    } finally {
      scoped.destroy();
    }
  });

  it('throws when AWS cannot be reached at all', async () => {
    const target = await resolveTarget({
      profile: 'sandbox',
      env: {},
      sandbox: () => Promise.resolve({ url: 'http://127.0.0.1:9' }),
    });
    const unreachable = createAwsClients(target, { maxAttempts: 1 });
    try {
      const error = await checkPermissions(unreachable, web).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('UNAVAILABLE');
    } finally {
      unreachable.destroy();
    }
  });
});
