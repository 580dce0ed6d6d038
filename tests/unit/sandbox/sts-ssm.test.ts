import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, openSandbox, REGION, type TestSandbox } from './helpers';

let t: TestSandbox & { sts: STSClient; ssm: SSMClient };
beforeEach(async () => {
  const opened = await openSandbox();
  t = Object.assign(opened, { sts: new STSClient(opened.config), ssm: new SSMClient(opened.config) });
});
afterEach(async () => {
  t.sts.destroy();
  t.ssm.destroy();
  await t.close();
});

const ROLE = 'arn:aws:iam::210987654321:role/ops/Baker';

describe('STS', () => {
  it('answers GetCallerIdentity for the sandbox user', async () => {
    const me = await t.sts.send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/sandbox' });
  });

  it('assumes a role and knows the session by its temporary credentials', async () => {
    const out = await t.sts.send(
      new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'quadraxis', DurationSeconds: 900 }),
    );
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.Credentials?.Expiration?.getTime()).toBe(Date.UTC(2026, 0, 1) + 900_000);
    expect(out.AssumedRoleUser?.Arn).toBe('arn:aws:sts::210987654321:assumed-role/Baker/quadraxis');
    const session = new STSClient({
      endpoint: t.sandbox.url,
      region: REGION,
      credentials: {
        accessKeyId: out.Credentials!.AccessKeyId!,
        secretAccessKey: out.Credentials!.SecretAccessKey!,
        sessionToken: out.Credentials!.SessionToken!,
      },
    });
    const me = await session.send(new GetCallerIdentityCommand({}));
    session.destroy();
    expect(me).toMatchObject({
      Account: '210987654321',
      Arn: 'arn:aws:sts::210987654321:assumed-role/Baker/quadraxis',
    });
    expect(me.UserId).toMatch(/^AROA[A-Z2-7]{17}:quadraxis$/);
  });

  it('requires a six-digit TokenCode with an MFA SerialNumber', async () => {
    const mfa = {
      RoleArn: ROLE,
      RoleSessionName: 'quadraxis',
      SerialNumber: 'arn:aws:iam::123456789012:mfa/me',
    };
    const ok = await t.sts.send(new AssumeRoleCommand({ ...mfa, TokenCode: '123456' }));
    expect(ok.Credentials?.SessionToken).toBeTruthy();
    const missing = await errorOf(t.sts.send(new AssumeRoleCommand(mfa)));
    expect(missing).toMatchObject({ name: 'AccessDenied', status: 403 });
    const short = await errorOf(t.sts.send(new AssumeRoleCommand({ ...mfa, TokenCode: '12a' })));
    expect(short).toMatchObject({ name: 'ValidationError', status: 400 });
  });

  it('validates the role ARN, session name and duration', async () => {
    for (const input of [
      { RoleArn: 'arn:aws:iam::123:role/x', RoleSessionName: 'ok' },
      { RoleArn: ROLE, RoleSessionName: 'a' },
      { RoleArn: ROLE, RoleSessionName: 'ok', DurationSeconds: 60 },
    ]) {
      expect((await errorOf(t.sts.send(new AssumeRoleCommand(input)))).name).toBe('ValidationError');
    }
  });
});

describe('SSM public AMI aliases', () => {
  it.each([
    [
      '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      'al2023-ami-2023.6.20241031.0-kernel-6.1-x86_64',
    ],
    [
      '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
      'al2023-ami-2023.6.20241031.0-kernel-6.1-arm64',
    ],
    [
      '/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id',
      'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241109',
    ],
    [
      '/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id',
      'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20241109',
    ],
    ['/aws/service/debian/release/12/latest/amd64', 'debian-12-amd64-20241111-1928'],
    ['/aws/service/debian/release/12/latest/arm64', 'debian-12-arm64-20241111-1928'],
  ])('%s names the newest image of the region', async (name, imageName) => {
    const { Parameter } = await t.ssm.send(new GetParameterCommand({ Name: name }));
    expect(Parameter).toMatchObject({ Name: name, Type: 'String' });
    const image = await t.ec2.send(new DescribeImagesCommand({ ImageIds: [Parameter!.Value!] }));
    expect(image.Images?.[0]?.Name).toBe(imageName);
  });

  it('reports unknown parameters', async () => {
    const error = await errorOf(t.ssm.send(new GetParameterCommand({ Name: '/aws/service/nope' })));
    expect(error).toMatchObject({ name: 'ParameterNotFound', status: 400 });
    const many = await t.ssm.send(
      new GetParametersCommand({
        Names: ['/aws/service/debian/release/12/latest/amd64', '/aws/service/nope'],
      }),
    );
    expect(many.Parameters?.map((p) => p.Name)).toEqual(['/aws/service/debian/release/12/latest/amd64']);
    expect(many.InvalidParameters).toEqual(['/aws/service/nope']);
  });
});
