import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetInstanceProfileCommand, IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../../src/sandbox';
import { openSandbox, type TestSandbox } from './helpers';

/** Issue 18's Sandbox services, each round-tripped through the real SDK. */
let t: TestSandbox;
beforeEach(async () => {
  t = await openSandbox();
});
afterEach(() => t.close());

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: { name: string; message: string }) => `${e.name}: ${e.message}`,
  );

describe('Secrets Manager', () => {
  it('creates, puts new versions with staging labels, reads by stage and describes', async () => {
    const sm = new SecretsManagerClient(t.config);
    const created = await sm.send(
      new CreateSecretCommand({ Name: 'prod/api', SecretString: '{"token":"one"}' }),
    );
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:eu-west-1:\d{12}:secret:prod\/api-[A-Za-z0-9]{6}$/);
    await sm.send(new PutSecretValueCommand({ SecretId: 'prod/api', SecretString: '{"token":"two"}' }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: created.ARN! }))).SecretString).toBe(
      '{"token":"two"}',
    );
    const previous = await sm.send(
      new GetSecretValueCommand({ SecretId: 'prod/api', VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous.SecretString).toBe('{"token":"one"}');
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'prod/api' }));
    expect(Object.values(described.VersionIdsToStages ?? {}).sort()).toEqual([
      ['AWSCURRENT'],
      ['AWSPREVIOUS'],
    ]);
    expect(await errorOf(sm.send(new GetSecretValueCommand({ SecretId: 'prod/none' })))).toMatch(
      /^ResourceNotFoundException: Secrets Manager can't find the specified secret/,
    );
    expect(await errorOf(sm.send(new CreateSecretCommand({ Name: 'prod/api', SecretString: 'x' })))).toMatch(
      /^ResourceExistsException/,
    );
  });
});

describe('SigV4 verification', () => {
  it('refuses the sandbox profile’s own key signed with a wrong secret, as AWS does, in each protocol’s words', async () => {
    const wrong = { ...t.config, credentials: { ...SANDBOX_CREDENTIALS, secretAccessKey: 'not-the-secret' } };
    expect(await errorOf(new SSMClient(wrong).send(new GetParametersCommand({ Names: ['/a'] })))).toMatch(
      /^InvalidSignatureException: The request signature we calculated does not match/,
    );
    expect(
      await errorOf(
        new IAMClient(wrong).send(new GetInstanceProfileCommand({ InstanceProfileName: 'builder-role' })),
      ),
    ).toMatch(/^SignatureDoesNotMatch/);
    // Signed correctly, the same calls pass.
    expect(
      (await new SSMClient(t.config).send(new GetParametersCommand({ Names: ['/a'] }))).InvalidParameters,
    ).toEqual(['/a']);
  });
});

describe('IAM and instance-role sessions', () => {
  it('answers GetInstanceProfile and SimulatePrincipalPolicy from the roles’ allow lists', async () => {
    t.sandbox.sim.putRole('dev-reader', {
      Dev: {
        Statement: {
          Effect: 'Allow',
          Action: 'ssm:GetParameters',
          Resource: 'arn:aws:ssm:*:*:parameter/app/dev/*',
        },
      },
    });
    const iam = new IAMClient(t.config);
    const profile = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'dev-reader' }));
    const roleArn = profile.InstanceProfile?.Roles?.[0]?.Arn;
    expect(roleArn).toMatch(/^arn:aws:iam::\d{12}:role\/dev-reader$/);
    const account = roleArn!.split(':')[4];
    const simulated = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: roleArn,
        ActionNames: ['ssm:GetParameters'],
        ResourceArns: [
          `arn:aws:ssm:eu-west-1:${account}:parameter/app/dev/db`,
          `arn:aws:ssm:eu-west-1:${account}:parameter/app/prod/db`,
        ],
      }),
    );
    expect(simulated.EvaluationResults?.map((r) => r.EvalDecision)).toEqual(['allowed', 'implicitDeny']);
    expect(await errorOf(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'nope' })))).toMatch(
      /^NoSuchEntity/,
    );
  });

  it('lets a builder’s role session read only what its role allows, and decrypt a customer managed key only with kms:Decrypt', async () => {
    const ssm = new SSMClient(t.config);
    await ssm.send(
      new PutParameterCommand({
        Name: '/app/dev/db',
        Type: 'SecureString',
        Value: 'v1',
        KeyId: 'alias/quadraxis-images',
      }),
    );
    await ssm.send(new PutParameterCommand({ Name: '/app/prod/db', Type: 'SecureString', Value: 'v2' }));
    t.sandbox.sim.putRole('dev-reader', {
      Dev: {
        Statement: {
          Effect: 'Allow',
          Action: 'ssm:GetParameters',
          Resource: 'arn:aws:ssm:*:*:parameter/app/dev/*',
        },
      },
    });
    const creds = t.sandbox.sim.instanceRoleCredentials('i-0123456789abcdef0', 'dev-reader')!;
    const asRole = new SSMClient({
      ...t.config,
      credentials: {
        accessKeyId: creds.AccessKeyId,
        secretAccessKey: creds.SecretAccessKey,
        sessionToken: creds.Token,
      },
    });
    expect(
      await errorOf(asRole.send(new GetParametersCommand({ Names: ['/app/prod/db'], WithDecryption: true }))),
    ).toMatch(
      /^AccessDeniedException: User: arn:aws:sts::\d{12}:assumed-role\/dev-reader\/i-0123456789abcdef0 is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:eu-west-1:\d{12}:parameter\/app\/prod\/db/,
    );
    // Readable, but its customer managed key needs kms:Decrypt too.
    expect(
      await errorOf(asRole.send(new GetParametersCommand({ Names: ['/app/dev/db'], WithDecryption: true }))),
    ).toMatch(/^AccessDeniedException: .*kms:Decrypt/);
    t.sandbox.sim.putRole('dev-reader', {
      Dev: { Statement: { Effect: 'Allow', Action: ['ssm:GetParameters', 'kms:Decrypt'], Resource: '*' } },
    });
    const read = await asRole.send(
      new GetParametersCommand({ Names: ['/app/dev/db'], WithDecryption: true }),
    );
    expect(read.Parameters?.[0]?.Value).toBe('v1');
    // A session token that is not the one issued is refused.
    const forged = new SSMClient({
      ...t.config,
      credentials: {
        accessKeyId: creds.AccessKeyId,
        secretAccessKey: creds.SecretAccessKey,
        sessionToken: 'forged',
      },
    });
    expect(await errorOf(forged.send(new GetParametersCommand({ Names: ['/app/dev/db'] })))).toMatch(
      /^UnrecognizedClientException: The security token included in the request is invalid/,
    );
  });
});
