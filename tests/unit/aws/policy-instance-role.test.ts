import { describe, expect, it } from 'vitest';
import { generateInstanceRolePolicy } from '../../../src/main/services/aws/policy-instance-role';
import { evaluate, PolicyDocumentSchema } from '../../../src/sandbox/iam/policy';
import { GeneratedPolicySchema } from '../../../src/shared/aws';
import { project } from './project-fixtures';

/** The builder's role policy, judged by the Sandbox's own IAM evaluator: exactly the referenced reads. */
describe('generateInstanceRolePolicy', () => {
  const p = project({
    region: 'eu-west-1',
    iamInstanceProfile: 'builder-profile',
    env: {
      MODE: 'dev',
      DB_PASSWORD: { ssm: '/app/dev/db-password:3' },
      API: { secretsManager: 'dev/api', key: 'token' },
    },
    environments: { prod: { env: { DB_PASSWORD: { ssm: '/app/prod/db-password' } } } },
  });
  const ACCOUNT = '123456789012';
  const generated = GeneratedPolicySchema.parse(generateInstanceRolePolicy(p, { accountId: ACCOUNT }));
  const document = PolicyDocumentSchema.parse(generated.policy);
  const decide = (action: string, resource: string, context = {}) =>
    evaluate([document], action, resource, context).decision;

  it('allows reading exactly the referenced parameters and secrets, of every environment', () => {
    const parameter = (name: string) => `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/${name}`;
    expect(decide('ssm:GetParameters', parameter('app/dev/db-password'))).toBe('allowed');
    expect(decide('ssm:GetParameters', parameter('app/prod/db-password'))).toBe('allowed');
    expect(decide('ssm:GetParameters', parameter('app/dev/other'))).toBe('implicitDeny');
    expect(decide('ssm:PutParameter', parameter('app/dev/db-password'))).toBe('implicitDeny');
    const secret = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:dev/api-AbC123`;
    expect(decide('secretsmanager:GetSecretValue', secret)).toBe('allowed');
    expect(decide('secretsmanager:GetSecretValue', secret.replace('dev/api', 'dev/apix'))).toBe(
      'implicitDeny',
    );
    expect(generated.explanations.map((e) => e.sid)).toEqual([
      'ReadReferencedParameters',
      'ReadReferencedSecrets',
      'DecryptThroughThoseServices',
    ]);
  });

  it('decrypts only through Parameter Store and Secrets Manager', () => {
    const key = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    expect(decide('kms:Decrypt', key, { 'kms:ViaService': ['ssm.eu-west-1.amazonaws.com'] })).toBe('allowed');
    expect(decide('kms:Decrypt', key, { 'kms:ViaService': ['secretsmanager.eu-west-1.amazonaws.com'] })).toBe(
      'allowed',
    );
    expect(decide('kms:Decrypt', key)).toBe('implicitDeny');
  });

  it('narrows to one environment, and is absent without references', () => {
    const prod = generateInstanceRolePolicy(p, { accountId: ACCOUNT, environment: 'prod' });
    expect(JSON.stringify(prod)).toContain('parameter/app/prod/db-password');
    expect(JSON.stringify(prod)).not.toContain('parameter/app/dev/db-password');
    expect(generateInstanceRolePolicy(project({ env: { MODE: 'dev' } }))).toBeUndefined();
  });

  it('names each environment’s own region: the builder reads where it bakes', () => {
    const spread = project({
      region: 'eu-west-1',
      env: { DB_PASSWORD: { ssm: '/app/dev/db-password' } },
      environments: {
        prod: { region: 'eu-central-1', env: { DB_PASSWORD: { ssm: '/app/prod/db-password' } } },
      },
    });
    const judge = (policy: ReturnType<typeof generateInstanceRolePolicy>) => {
      const doc = PolicyDocumentSchema.parse(GeneratedPolicySchema.parse(policy).policy);
      return (action: string, resource: string, context = {}) =>
        evaluate([doc], action, resource, context).decision;
    };
    const parameter = (region: string, name: string) => `arn:aws:ssm:${region}:${ACCOUNT}:parameter/${name}`;
    const key = (region: string) =>
      `arn:aws:kms:${region}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    for (const decideIn of [
      judge(generateInstanceRolePolicy(spread, { accountId: ACCOUNT, environment: 'prod' })),
      judge(generateInstanceRolePolicy(spread, { accountId: ACCOUNT })),
    ]) {
      expect(decideIn('ssm:GetParameters', parameter('eu-central-1', 'app/prod/db-password'))).toBe(
        'allowed',
      );
      expect(decideIn('ssm:GetParameters', parameter('eu-west-1', 'app/prod/db-password'))).toBe(
        'implicitDeny',
      );
      expect(
        decideIn('kms:Decrypt', key('eu-central-1'), {
          'kms:ViaService': ['ssm.eu-central-1.amazonaws.com'],
        }),
      ).toBe('allowed');
    }
    const all = judge(generateInstanceRolePolicy(spread, { accountId: ACCOUNT }));
    expect(all('ssm:GetParameters', parameter('eu-west-1', 'app/dev/db-password'))).toBe('allowed');
    expect(all('kms:Decrypt', key('eu-west-1'), { 'kms:ViaService': ['ssm.eu-west-1.amazonaws.com'] })).toBe(
      'allowed',
    );
  });
});
