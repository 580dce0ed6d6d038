import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkBuilderRole, firstDenied, type IamCall } from '../../../src/main/services/aws/builder-role';
import { createAwsClients, type AwsClients } from '../../../src/main/services/aws/clients';
import { checkPermissions } from '../../../src/main/services/aws/permissions';
import { resolveTarget } from '../../../src/main/services/aws/target';
import { startSandbox, type SandboxHandle } from '../../../src/sandbox';
import { PermissionReportSchema } from '../../../src/shared/aws';
import type { Env } from '../../../src/shared/project';
import { project } from './project-fixtures';

/**
 * What IAM says of the builder's instance role (issue 18), against the Sandbox's IAM: its instance
 * profiles, roles with allow lists and policy simulator.
 */
let sandbox: SandboxHandle;
let clients: AwsClients;
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const calls: string[] = [];
const send: IamCall = (action, call) => {
  calls.push(action);
  return call({});
};

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'builder-role', throttling: false });
  const target = await resolveTarget({
    profile: 'sandbox',
    env: {},
    sandbox: () => Promise.resolve(sandbox),
  });
  clients = createAwsClients(target, { maxAttempts: 1 });
});
afterEach(() => {
  sandbox.sim.reset();
  calls.length = 0;
});
afterAll(async () => {
  clients.destroy();
  await sandbox.close();
});

const ENV: Env = {
  APP_MODE: 'prod',
  DB_PASSWORD: { ssm: '/app/prod/db-password' },
  CACHE_KEY: { ssm: '/app/shared/cache-key:3' },
  API_TOKEN: { secretsManager: 'prod/api', key: 'token' },
};
const check = (env: Env, iamInstanceProfile?: string) =>
  checkBuilderRole(clients, { env, iamInstanceProfile, region: REGION, accountId: ACCOUNT }, send);

/** Creates a secret in the Sandbox (as the account's own user) and returns its full ARN. */
async function putSecret(name: string, region = REGION): Promise<string> {
  const out = await clients
    .secretsManager(region)
    .send(new CreateSecretCommand({ Name: name, SecretString: '{"token":"t0ken-value"}' }));
  return out.ARN!;
}

/** A role (and same-named profile) that may read the prod parameters and nothing else. */
function prodOnly(): void {
  sandbox.sim.putRole('prod-only', {
    ProdParameters: {
      Statement: {
        Effect: 'Allow',
        Action: 'ssm:GetParameters',
        Resource: 'arn:aws:ssm:*:*:parameter/app/prod/*',
      },
    },
  });
}

describe('checkBuilderRole', () => {
  it('asks IAM about each referenced read with the role the profile holds, and says allowed', async () => {
    const secretArn = await putSecret('prod/api');
    const verdict = await check(ENV, 'builder-role');
    expect(verdict).toEqual({
      status: 'allowed',
      profile: 'builder-role',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/builder-role`,
      reads: [
        {
          variable: 'DB_PASSWORD',
          reference: 'ssm:/app/prod/db-password',
          action: 'ssm:GetParameters',
          resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/app/prod/db-password`,
          decision: 'allowed',
        },
        {
          variable: 'CACHE_KEY',
          reference: 'ssm:/app/shared/cache-key:3',
          action: 'ssm:GetParameters',
          // The version selector is not part of the parameter's ARN.
          resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/app/shared/cache-key`,
          decision: 'allowed',
        },
        {
          variable: 'API_TOKEN',
          reference: 'secretsmanager:prod/api#token',
          action: 'secretsmanager:GetSecretValue',
          // A secret named without an ARN is asked about by its full ARN, as Secrets Manager names it.
          resource: secretArn,
          decision: 'allowed',
        },
      ],
    });
    expect(secretArn).toMatch(
      new RegExp(`^arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/api-\\w{6}$`),
    );
    // One lookup of the secret's ARN and one simulation per action, after the profile: never a read of a value.
    expect(calls).toEqual([
      'GetInstanceProfile',
      'DescribeSecret',
      'SimulatePrincipalPolicy',
      'SimulatePrincipalPolicy',
    ]);
    expect(sandbox.sim.calls({ action: 'GetParameters' })).toEqual([]);
    expect(sandbox.sim.calls({ action: 'GetSecretValue' })).toEqual([]);
  });

  it('names the one of two parameters the role may not read', async () => {
    prodOnly();
    const env: Env = { DB_PASSWORD: { ssm: '/app/prod/db-password' }, CACHE_KEY: { ssm: '/app/dev/cache' } };
    const verdict = await check(env, 'prod-only');
    expect(verdict?.status).toBe('denied');
    expect(verdict?.reads.map((r) => [r.variable, r.decision])).toEqual([
      ['DB_PASSWORD', 'allowed'],
      ['CACHE_KEY', 'implicitDeny'],
    ]);
    expect(firstDenied(verdict!)).toMatchObject({
      variable: 'CACHE_KEY',
      resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/app/dev/cache`,
    });
  });

  it('accepts the profile as an ARN', async () => {
    await putSecret('prod/api');
    const verdict = await check(ENV, `arn:aws:iam::${ACCOUNT}:instance-profile/builder-role`);
    expect(verdict?.status).toBe('allowed');
  });

  it('says when the profile does not exist, or holds no role', async () => {
    const missing = await check(ENV, 'no-such-profile');
    expect(missing).toMatchObject({ status: 'no-such-profile', profile: 'no-such-profile' });
    expect(missing?.reads.map((r) => r.variable)).toEqual(['DB_PASSWORD', 'CACHE_KEY', 'API_TOKEN']);
    expect(missing?.reads.every((r) => r.decision === undefined)).toBe(true);

    sandbox.sim.putInstanceProfile('empty-profile');
    expect(await check(ENV, 'empty-profile')).toMatchObject({ status: 'no-role', profile: 'empty-profile' });
  });

  it('is not checkable, not failed, when the baking identity may not ask IAM', async () => {
    prodOnly();
    sandbox.sim.setCallerAllowed('iam:SimulatePrincipalPolicy', false);
    const verdict = await check({ CACHE_KEY: { ssm: '/app/dev/cache' } }, 'prod-only');
    expect(verdict).toMatchObject({
      status: 'unchecked',
      code: 'iam:SimulatePrincipalPolicy',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/prod-only`,
    });
    expect(verdict?.reads[0]?.decision).toBeUndefined();

    sandbox.sim.setCallerAllowed('iam:GetInstanceProfile', false);
    expect(await check(ENV, 'prod-only')).toMatchObject({
      status: 'unchecked',
      code: 'iam:GetInstanceProfile',
      message: 'iam:GetInstanceProfile is not allowed',
    });
  });

  it('allows a role whose policy names the secret’s exact ARN (IAM denies that policy on the name pattern)', async () => {
    const secretArn = await putSecret('prod/api');
    sandbox.sim.putRole('exact-arn', {
      ReadApiSecret: {
        Statement: { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn },
      },
    });
    const verdict = await check({ API_TOKEN: { secretsManager: 'prod/api', key: 'token' } }, 'exact-arn');
    expect(verdict?.status).toBe('allowed');
    expect(verdict?.reads).toEqual([
      expect.objectContaining({ variable: 'API_TOKEN', resource: secretArn, decision: 'allowed' }),
    ]);
    expect(verdict?.reads[0]?.problem).toBeUndefined();
    // A secret referenced by its ARN is not looked up: the ARN is what a policy names.
    calls.length = 0;
    const byArn = await check({ API_TOKEN: { secretsManager: secretArn, key: 'token' } }, 'exact-arn');
    expect(byArn?.status).toBe('allowed');
    expect(calls).not.toContain('DescribeSecret');
  });

  it('is not checkable, not denied, when the secret’s ARN may not be looked up and IAM denies the pattern', async () => {
    const secretArn = await putSecret('prod/api');
    sandbox.sim.putRole('exact-arn', {
      ReadApiSecret: {
        Statement: { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn },
      },
    });
    sandbox.sim.setCallerAllowed('secretsmanager:DescribeSecret', false);
    const verdict = await check({ API_TOKEN: { secretsManager: 'prod/api', key: 'token' } }, 'exact-arn');
    expect(verdict).toMatchObject({
      status: 'unchecked',
      code: 'secretsmanager:DescribeSecret',
      message: expect.stringMatching(
        /DescribeSecret is not allowed.*secret prod\/api could not be looked up/,
      ),
    });
    const [read] = verdict!.reads;
    expect(read).toMatchObject({
      problem: 'unchecked',
      resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/api-??????`,
    });
    expect(read?.decision).toBeUndefined();
    expect(read?.why).toMatch(
      /says implicitDeny for the name pattern .*prod\/api in us-east-1 could not be looked up/,
    );
    expect(firstDenied(verdict!)).toBeUndefined();

    // An allow of the pattern still counts, and a denial IAM states of another read still stands.
    sandbox.sim.putRole('pattern', {
      Read: {
        Statement: [
          { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*:secret:prod/api-*' },
          { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*:parameter/app/prod/*' },
        ],
      },
    });
    expect(await check({ API_TOKEN: { secretsManager: 'prod/api' } }, 'pattern')).toMatchObject({
      status: 'allowed',
    });
    const mixed = await check(
      { API_TOKEN: { secretsManager: 'prod/api' }, CACHE_KEY: { ssm: '/app/dev/cache' } },
      'exact-arn',
    );
    expect(mixed?.status).toBe('denied');
    expect(mixed?.reads.map((r) => [r.variable, r.decision ?? r.problem])).toEqual([
      ['CACHE_KEY', 'implicitDeny'],
      ['API_TOKEN', 'unchecked'],
    ]);
  });

  it('fails naming the secret and region when a secret referenced by name does not exist', async () => {
    const verdict = await check(
      { DB_PASSWORD: { ssm: '/app/prod/db-password' }, API_TOKEN: { secretsManager: 'prod/gone' } },
      'builder-role',
    );
    expect(verdict?.status).toBe('no-such-secret');
    expect(verdict?.reads.map((r) => [r.variable, r.decision ?? r.problem])).toEqual([
      ['DB_PASSWORD', 'allowed'],
      ['API_TOKEN', 'no-such-secret'],
    ]);
    expect(verdict?.reads[1]?.why).toMatch(
      /There is no secret named prod\/gone in us-east-1 .*so the builder could never read API_TOKEN/,
    );
    // Nothing is simulated for a secret that is not there.
    expect(calls.filter((c) => c === 'SimulatePrincipalPolicy')).toHaveLength(1);
  });

  it('needs a profile only when something is referenced', async () => {
    expect(await check({ APP_MODE: 'prod' })).toBeUndefined();
    expect(await check(ENV)).toMatchObject({ status: 'no-profile' });
    expect(calls).toEqual([]);
  });
});

describe('the permission report’s builder role', () => {
  const withEnvironments = project({
    iamInstanceProfile: 'builder-role',
    env: { APP_MODE: 'dev', DB_PASSWORD: { ssm: '/app/dev/db-password' } },
    environments: {
      // Only a plain value differs: the same check serves it.
      staging: { env: { APP_MODE: 'staging' } },
      prod: {
        env: { DB_PASSWORD: { ssm: '/app/prod/db-password' } },
        iamInstanceProfile: 'prod-only',
        region: 'eu-west-1',
      },
      qa: { iamInstanceProfile: 'prod-only' },
    },
  });

  it('checks the project’s own values and each environment whose role or references differ, and fails on a denial', async () => {
    prodOnly();
    const report = PermissionReportSchema.parse(await checkPermissions(clients, withEnvironments));
    expect(report.builderRole?.map((c) => [c.scope, c.profile, c.status])).toEqual([
      [{ project: true, environments: ['staging'] }, 'builder-role', 'allowed'],
      [{ project: false, environments: ['prod'] }, 'prod-only', 'allowed'],
      [{ project: false, environments: ['qa'] }, 'prod-only', 'denied'],
    ]);
    // An environment's own region is where its builder reads.
    expect(report.builderRole?.[1]?.reads[0]?.resource).toBe(
      `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/app/prod/db-password`,
    );
    expect(report.results.every((r) => r.status === 'allowed')).toBe(true);
    expect(report.ok).toBe(false);
  });

  it('passes when every role may read, and when IAM may not be asked', async () => {
    sandbox.sim.putRole('prod-only', {
      ReadAll: { Statement: { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: '*' } },
    });
    const allowed = await checkPermissions(clients, withEnvironments);
    expect(allowed.builderRole?.every((c) => c.status === 'allowed')).toBe(true);
    expect(allowed.ok).toBe(true);

    sandbox.sim.setCallerAllowed('iam:GetInstanceProfile', false);
    const unchecked = await checkPermissions(clients, withEnvironments);
    expect(unchecked.builderRole?.map((c) => c.status)).toEqual(['unchecked', 'unchecked', 'unchecked']);
    expect(unchecked.ok).toBe(true);
  });

  it('fails when references have no profile or a missing one, and is absent when nothing is referenced', async () => {
    const noProfile = await checkPermissions(
      clients,
      project({ env: { DB_PASSWORD: { ssm: '/app/dev/db-password' } } }),
    );
    expect(noProfile.builderRole).toEqual([
      expect.objectContaining({ status: 'no-profile', scope: { project: true, environments: [] } }),
    ]);
    expect(noProfile.ok).toBe(false);

    const missing = await checkPermissions(
      clients,
      project({ iamInstanceProfile: 'gone', env: { DB_PASSWORD: { ssm: '/app/dev/db-password' } } }),
    );
    expect(missing.builderRole?.[0]?.status).toBe('no-such-profile');
    expect(missing.ok).toBe(false);

    const noSecret = await checkPermissions(
      clients,
      project({ iamInstanceProfile: 'builder-role', env: { API_TOKEN: { secretsManager: 'dev/gone' } } }),
    );
    expect(noSecret.builderRole?.[0]?.status).toBe('no-such-secret');
    expect(noSecret.ok).toBe(false);

    const plain = await checkPermissions(clients, project({ env: { APP_MODE: 'dev' } }));
    expect(plain.builderRole).toBeUndefined();
    expect(plain.ok).toBe(true);
  });
});
