import { DescribeKeyCommand, KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { CreateImageCommand, RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, openSandbox, REGION, type TestSandbox } from './helpers';

let t: TestSandbox & { kms: KMSClient; ssm: SSMClient };
beforeEach(async () => {
  const opened = await openSandbox({
    timings: {
      pendingMs: 1_000,
      stoppingMs: 1_000,
      imagePendingMs: 5_000,
      ssmImageValidationMs: 2_000,
    },
  });
  t = Object.assign(opened, { kms: new KMSClient(opened.config), ssm: new SSMClient(opened.config) });
});
afterEach(async () => {
  t.kms.destroy();
  t.ssm.destroy();
  await t.close();
});

describe('KMS', () => {
  it('describes keys by alias, id and ARN, per region', async () => {
    const byAlias = await t.kms.send(new DescribeKeyCommand({ KeyId: 'alias/quadraxis-images' }));
    expect(byAlias.KeyMetadata).toMatchObject({
      KeyManager: 'CUSTOMER',
      KeyState: 'Enabled',
      Enabled: true,
      Arn: expect.stringMatching(new RegExp(`^arn:aws:kms:${REGION}:123456789012:key/[0-9a-f-]{36}$`)),
    });
    const byId = await t.kms.send(new DescribeKeyCommand({ KeyId: byAlias.KeyMetadata!.KeyId }));
    const byArn = await t.kms.send(new DescribeKeyCommand({ KeyId: byAlias.KeyMetadata!.Arn }));
    expect(byId.KeyMetadata?.Arn).toBe(byAlias.KeyMetadata?.Arn);
    expect(byArn.KeyMetadata?.CreationDate).toBeInstanceOf(Date);
    const managed = await t.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/ebs' }));
    expect(managed.KeyMetadata?.KeyManager).toBe('AWS');
    const elsewhere = new KMSClient({ ...t.config, region: 'eu-central-1' });
    const there = await elsewhere.send(new DescribeKeyCommand({ KeyId: 'alias/quadraxis-images' }));
    elsewhere.destroy();
    expect(there.KeyMetadata?.KeyId).not.toBe(byAlias.KeyMetadata?.KeyId);
    // This region's key ARN names nothing in another region.
    const wrongRegion = new KMSClient({ ...t.config, region: 'eu-central-1' });
    const missing = await errorOf(
      wrongRegion.send(new DescribeKeyCommand({ KeyId: byAlias.KeyMetadata!.Arn })),
    );
    wrongRegion.destroy();
    expect(missing).toMatchObject({ name: 'NotFoundException', status: 400 });
  });

  it('says which keys are disabled and which do not exist', async () => {
    const retired = await t.kms.send(new DescribeKeyCommand({ KeyId: 'alias/quadraxis-retired' }));
    expect(retired.KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    const nope = await errorOf(t.kms.send(new DescribeKeyCommand({ KeyId: 'alias/nope' })));
    expect(nope.name).toBe('NotFoundException');
    expect(nope.message).toBe(`Alias arn:aws:kms:${REGION}:123456789012:alias/nope is not found.`);
  });

  it('lists aliases in pages', async () => {
    const first = await t.kms.send(new ListAliasesCommand({ Limit: 2 }));
    expect(first.Aliases).toHaveLength(2);
    expect(first.Truncated).toBe(true);
    const rest = await t.kms.send(new ListAliasesCommand({ Marker: first.NextMarker }));
    expect([...first.Aliases!, ...rest.Aliases!].map((a) => a.AliasName)).toEqual([
      'alias/aws/ebs',
      'alias/aws/secretsmanager',
      'alias/aws/ssm',
      'alias/quadraxis-images',
      'alias/quadraxis-retired',
    ]);
  });
});

describe('SSM Parameter Store', () => {
  it('puts, overwrites with a new version, reads by version, lists history and deletes', async () => {
    const put = await t.ssm.send(
      new PutParameterCommand({
        Name: '/app/mode',
        Value: 'blue',
        Type: 'String',
        Description: 'which fleet',
      }),
    );
    expect(put).toMatchObject({ Version: 1, Tier: 'Standard' });
    const clash = await errorOf(t.ssm.send(new PutParameterCommand({ Name: '/app/mode', Value: 'green' })));
    expect(clash.name).toBe('ParameterAlreadyExists');
    await t.ssm.send(new PutParameterCommand({ Name: '/app/mode', Value: 'green', Overwrite: true }));
    const now = await t.ssm.send(new GetParameterCommand({ Name: '/app/mode' }));
    expect(now.Parameter).toMatchObject({
      Value: 'green',
      Version: 2,
      Type: 'String',
      DataType: 'text',
      ARN: `arn:aws:ssm:${REGION}:123456789012:parameter/app/mode`,
    });
    expect((await t.ssm.send(new GetParameterCommand({ Name: '/app/mode:1' }))).Parameter?.Value).toBe(
      'blue',
    );
    const history = await t.ssm.send(new GetParameterHistoryCommand({ Name: '/app/mode' }));
    expect(history.Parameters?.map((p) => [p.Version, p.Value, p.Description])).toEqual([
      [1, 'blue', 'which fleet'],
      [2, 'green', 'which fleet'],
    ]);
    const both = await t.ssm.send(new GetParametersCommand({ Names: ['/app/mode', '/app/none'] }));
    expect(both.InvalidParameters).toEqual(['/app/none']);
    await t.ssm.send(new DeleteParameterCommand({ Name: '/app/mode' }));
    expect((await errorOf(t.ssm.send(new GetParameterCommand({ Name: '/app/mode' })))).name).toBe(
      'ParameterNotFound',
    );
    expect((await errorOf(t.ssm.send(new DeleteParameterCommand({ Name: '/app/mode' })))).name).toBe(
      'ParameterNotFound',
    );
  });

  it('keeps SecureString values behind their key: ciphertext unless decrypted; a missing key is refused', async () => {
    await t.ssm.send(
      new PutParameterCommand({
        Name: '/app/db-password',
        Value: 's3cret',
        Type: 'SecureString',
        KeyId: 'alias/quadraxis-images',
      }),
    );
    const hidden = await t.ssm.send(new GetParameterCommand({ Name: '/app/db-password' }));
    expect(hidden.Parameter?.Value).not.toContain('s3cret');
    const shown = await t.ssm.send(
      new GetParameterCommand({ Name: '/app/db-password', WithDecryption: true }),
    );
    expect(shown.Parameter?.Value).toBe('s3cret');
    const history = await t.ssm.send(new GetParameterHistoryCommand({ Name: '/app/db-password' }));
    expect(history.Parameters?.[0]?.KeyId).toBe(t.sandbox.sim.kmsKey(REGION, 'alias/quadraxis-images')?.arn);
    const badKey = await errorOf(
      t.ssm.send(
        new PutParameterCommand({
          Name: '/app/other',
          Value: 'x',
          Type: 'SecureString',
          KeyId: 'alias/gone',
        }),
      ),
    );
    expect(badKey.name).toBe('InvalidKeyId');
  });

  it('refuses reserved and malformed names', async () => {
    for (const Name of ['/aws/mine', 'ssm-thing', 'has space', 'a/b']) {
      const error = await errorOf(t.ssm.send(new PutParameterCommand({ Name, Value: 'x', Type: 'String' })));
      expect(error.name, Name).toBe('ValidationException');
    }
  });

  it('validates aws:ec2:image values asynchronously: the put answers at once, only a real image appears', async () => {
    const imageId = await bakeImage();
    const put = await t.ssm.send(
      new PutParameterCommand({
        Name: '/images/web/latest',
        Value: imageId,
        Type: 'String',
        DataType: 'aws:ec2:image',
      }),
    );
    expect(put.Version).toBe(1);
    // Still being validated: not there yet.
    expect((await errorOf(t.ssm.send(new GetParameterCommand({ Name: '/images/web/latest' })))).name).toBe(
      'ParameterNotFound',
    );
    await t.clock.advance(2_000);
    const seen = await t.ssm.send(new GetParameterCommand({ Name: '/images/web/latest' }));
    expect(seen.Parameter).toMatchObject({ Value: imageId, Version: 1, DataType: 'aws:ec2:image' });

    // An id of no image here: PutParameter still says yes, and the parameter keeps its old value.
    const bogus = await t.ssm.send(
      new PutParameterCommand({
        Name: '/images/web/latest',
        Value: 'ami-0123456789abcdef0',
        Type: 'String',
        DataType: 'aws:ec2:image',
        Overwrite: true,
      }),
    );
    expect(bogus.Version).toBe(2);
    await t.clock.advance(2_000);
    const after = await t.ssm.send(new GetParameterCommand({ Name: '/images/web/latest' }));
    expect(after.Parameter).toMatchObject({ Value: imageId, Version: 1 });
    const typeChange = await errorOf(
      t.ssm.send(
        new PutParameterCommand({
          Name: '/images/web/latest',
          Value: 'x',
          DataType: 'text',
          Overwrite: true,
        }),
      ),
    );
    expect(typeChange.name).toBe('ValidationException');
  });

  it('still answers the public AMI alias parameters', async () => {
    const alias = await t.ssm.send(
      new GetParameterCommand({
        Name: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      }),
    );
    expect(alias.Parameter?.Value).toMatch(/^ami-[0-9a-f]{17}$/);
  });
});

async function bakeImage(): Promise<string> {
  const base = await t.ssm.send(
    new GetParameterCommand({
      Name: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    }),
  );
  const run = await t.ec2.send(
    new RunInstancesCommand({
      ImageId: base.Parameter!.Value!,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
    }),
  );
  const id = run.Instances![0]!.InstanceId!;
  await t.clock.advance(1_001);
  await t.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
  await t.clock.advance(1_001);
  const { ImageId } = await t.ec2.send(new CreateImageCommand({ InstanceId: id, Name: 'web-param' }));
  await t.clock.advance(5_001);
  return ImageId!;
}
