import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../../src/main/services/aws/clients';
import { checkPermissions } from '../../../src/main/services/aws/permissions';
import { generatePolicy } from '../../../src/main/services/aws/policy';
import { resolveTarget } from '../../../src/main/services/aws/target';
import { startSandbox, type SandboxHandle } from '../../../src/sandbox';
import { GeneratedPolicySchema, type IamStatement } from '../../../src/shared/aws';
import { project } from '../aws/project-fixtures';

const delivering = project({
  region: 'eu-west-1',
  distribution: {
    regions: ['us-west-2', 'eu-central-1'],
    shareWith: { accounts: ['111122223333'], snapshots: true },
    encryption: { kmsKeyId: 'alias/quadraxis-images' },
    ssmParameter: '/images/{project}/latest',
    deprecateOlder: true,
  },
  retention: { keep: 2, pruneAfterBake: true, disableForDays: 7 },
});

const REGIONS = ['eu-west-1', 'us-west-2', 'eu-central-1'];

function statement(statements: IamStatement[], sid: string): IamStatement {
  const found = statements.find((s) => s.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}`);
  return found;
}

describe('the least-privilege policy of a distributing, pruning project', () => {
  const { policy, explanations } = GeneratedPolicySchema.parse(
    generatePolicy(delivering, { accountId: '123456789012' }),
  );
  const statements = policy.Statement;

  it('copies only to the project’s regions and tags copies only while CopyImage makes them', () => {
    expect(statement(statements, 'CopyImageToRegions')).toEqual({
      Sid: 'CopyImageToRegions',
      Effect: 'Allow',
      Action: 'ec2:CopyImage',
      Resource: ['arn:aws:ec2:*::image/*', 'arn:aws:ec2:*::snapshot/*'],
      Condition: { StringEquals: { 'aws:RequestedRegion': ['us-west-2', 'eu-central-1'] } },
    });
    expect(statement(statements, 'TagCopiesWhileCreating').Condition).toEqual({
      StringEquals: { 'ec2:CreateAction': 'CopyImage', 'aws:RequestTag/quadraxis:project': 'web' },
    });
  });

  it('shares, deprecates, disables and retires only images tagged with the project, in its regions', () => {
    for (const sid of ['ShareProjectImages', 'RetireProjectImagesInRegions']) {
      expect(statement(statements, sid).Condition, sid).toEqual({
        StringEquals: { 'aws:RequestedRegion': REGIONS, 'aws:ResourceTag/quadraxis:project': 'web' },
      });
    }
    expect(statement(statements, 'ShareProjectImages').Action).toEqual([
      'ec2:ModifyImageAttribute',
      'ec2:ModifySnapshotAttribute',
    ]);
    expect(statement(statements, 'RetireProjectImagesInRegions').Action).toEqual([
      'ec2:EnableImageDeprecation',
      'ec2:DisableImage',
      'ec2:DeregisterImage',
      'ec2:DeleteSnapshot',
    ]);
    expect(statement(statements, 'MarkDisabledImages').Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/quadraxis:project': 'web' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['quadraxis:disabled-at'] },
    });
  });

  it('uses the KMS keys only through EC2, only as the project names them', () => {
    expect(statement(statements, 'EncryptImagesThroughEc2')).toMatchObject({
      Action: ['kms:CreateGrant', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt', 'kms:ReEncrypt*'],
      Resource: REGIONS.map((r) => `arn:aws:kms:${r}:123456789012:key/*`),
      Condition: {
        StringEquals: { 'kms:ViaService': REGIONS.map((r) => `ec2.${r}.amazonaws.com`) },
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/quadraxis-images'] },
      },
    });
  });

  it('publishes exactly the one parameter in each region', () => {
    expect(statement(statements, 'PublishImageParameter').Resource).toEqual(
      REGIONS.map((r) => `arn:aws:ssm:${r}:123456789012:parameter/images/web/latest`),
    );
    expect(explanations.find((e) => e.sid === 'PublishImageParameter')?.text).toContain('/images/web/latest');
  });

  it('publishes each environment’s parameter, and the project’s own values’, in each region', () => {
    const withEnvironments = project({
      region: 'eu-west-1',
      distribution: { regions: ['us-west-2'], ssmParameter: '/images/{project}/{environment}/latest' },
      environments: { prod: { env: { STAGE: 'prod' } }, dev: { env: { STAGE: 'dev' } } },
    });
    const generated = generatePolicy(withEnvironments, { accountId: '123456789012' });
    const names = ['default', 'prod', 'dev'].map((e) => `parameter/images/web/${e}/latest`);
    expect(statement(generated.policy.Statement, 'PublishImageParameter').Resource).toEqual(
      ['eu-west-1', 'us-west-2'].flatMap((r) => names.map((n) => `arn:aws:ssm:${r}:123456789012:${n}`)),
    );
    expect(generated.explanations.find((e) => e.sid === 'PublishImageParameter')?.text).toContain(
      "each environment's parameter (/images/web/default/latest, /images/web/prod/latest, /images/web/dev/latest)",
    );
  });

  it('adds nothing for a project that neither distributes nor prunes', () => {
    const plain = generatePolicy(project({ region: 'eu-west-1' })).policy.Statement.map((s) => s.Sid);
    expect(plain).not.toContain('CopyImageToRegions');
    expect(plain).not.toContain('FindImagesInUse');
    expect(plain).not.toContain('EncryptImagesThroughEc2');
  });
});

describe('the permission check of a distributing, pruning project', () => {
  let sandbox: SandboxHandle;
  const opened: AwsClients[] = [];
  const clientsIn = async (region: string) => {
    const target = await resolveTarget({
      profile: 'sandbox',
      region,
      env: {},
      sandbox: () => Promise.resolve(sandbox),
    });
    const clients = createAwsClients(target, { maxAttempts: 1 });
    opened.push(clients);
    return clients;
  };
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 'permissions-delivery', throttling: false });
  });
  afterEach(() => sandbox.sim.reset());
  afterAll(async () => {
    for (const c of opened) c.destroy();
    await sandbox.close();
  });

  it('dry-runs every delivery call (CopyImage in each copy region) and asks KMS in every region', async () => {
    const report = await checkPermissions(await clientsIn('eu-west-1'), delivering, undefined, {
      regionClients: clientsIn,
    });
    expect(report.ok).toBe(true);
    expect(report.results.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        'ec2:CopyImage',
        'ec2:ModifyImageAttribute',
        'ec2:ModifySnapshotAttribute',
        'ec2:EnableImageDeprecation',
        'ec2:DisableImage',
        'ec2:DescribeLaunchTemplateVersions',
        'autoscaling:DescribeAutoScalingGroups',
        'kms:DescribeKey',
      ]),
    );
    const copies = sandbox.sim.calls({ action: 'CopyImage' });
    expect(copies.map((c) => [c.region, c.outcome])).toEqual([
      ['us-west-2', 'DryRunOperation'],
      ['eu-central-1', 'DryRunOperation'],
    ]);
    expect(
      sandbox.sim
        .calls({ action: 'DescribeKey' })
        .map((c) => c.region)
        .sort(),
    ).toEqual([...REGIONS].sort());
  });

  it('says which delivery call is denied, and a key missing in one region', async () => {
    sandbox.sim.setDryRunAllowed('CopyImage', false);
    const project2 = {
      ...delivering,
      distribution: { ...delivering.distribution!, encryption: { kmsKeyId: 'alias/nope', kmsKeyIds: {} } },
    };
    const report = await checkPermissions(await clientsIn('eu-west-1'), project2, undefined, {
      regionClients: clientsIn,
    });
    expect(report.ok).toBe(false);
    const by = Object.fromEntries(report.results.map((r) => [r.action, r]));
    expect(by['ec2:CopyImage']).toMatchObject({ status: 'denied', code: 'UnauthorizedOperation' });
    expect(by['kms:DescribeKey']).toMatchObject({ status: 'error', code: 'NotFoundException' });
    expect(by['ec2:ModifyImageAttribute']?.status).toBe('allowed');
  });
});
