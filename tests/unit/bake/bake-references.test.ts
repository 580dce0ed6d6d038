import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DescribeInstanceAttributeCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, expect, test } from 'vitest';
import { TAG_BAKE_ID, TAG_ENVIRONMENT } from '../../../src/protocol/builder-tags';
import { sandboxClientConfig } from '../../../src/sandbox';
import { BakeHarness, project, REGION } from './harness';

/**
 * Issue 18's "Done when", on the simulated Sandbox: a SecureString reference resolved on the builder with
 * its instance profile (the Sandbox reads it as the role would), its value nowhere Quadraxis can see.
 */
const DEV_SECRET = 'dev-Pa55word-0001';
const PROD_SECRET = 'prod-Pa55word-0002-longer';
const SCRIPT =
  '#!/bin/sh\necho "DB_PASSWORD set=${DB_PASSWORD:+yes} length=${#DB_PASSWORD} mode=$APP_MODE"\necho "oops: $DB_PASSWORD"\n';

let h: BakeHarness;
afterEach(async () => h.close());

async function setUp(): Promise<{ ec2: EC2Client }> {
  h = await BakeHarness.create();
  const config = { ...sandboxClientConfig(h.sandbox, { region: REGION, clock: h.clock }), maxAttempts: 1 };
  const ssm = new SSMClient(config);
  for (const [name, value] of [
    ['/app/dev/db-password', DEV_SECRET],
    ['/app/prod/db-password', PROD_SECRET],
  ])
    await ssm.send(new PutParameterCommand({ Name: name, Type: 'SecureString', Value: value }));
  ssm.destroy();
  return { ec2: new EC2Client(config) };
}

const withReferences = (more: Parameters<typeof project>[0] = {}) =>
  project({
    initScript: SCRIPT,
    iamInstanceProfile: 'builder-role',
    env: { APP_MODE: 'dev', DB_PASSWORD: { ssm: '/app/dev/db-password' } },
    environments: {
      prod: {
        env: { APP_MODE: 'prod', DB_PASSWORD: { ssm: '/app/prod/db-password' } },
        instanceType: 't3.small',
      },
    },
    ...more,
  });

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

test('a SecureString reference is resolved on the builder; its value is in no user data, record, console, file or event', async () => {
  const { ec2 } = await setUp();
  const record = await h.bake(withReferences());
  expect(record.status).toBe('succeeded');
  const console = await h.store.bakes.readConsole(record.id);
  expect(console.some((l) => l.endsWith(`DB_PASSWORD set=yes length=${DEV_SECRET.length} mode=dev`))).toBe(
    true,
  );
  // A script that prints the value has it masked before any console.
  expect(console.some((l) => l.endsWith('oops: ****'))).toBe(true);

  const attribute = await ec2.send(
    new DescribeInstanceAttributeCommand({ InstanceId: record.instanceId!, Attribute: 'userData' }),
  );
  const bytes = Buffer.from(attribute.UserData?.Value ?? '', 'base64');
  const userData = (bytes[0] === 0x1f ? gunzipSync(bytes) : bytes).toString('utf8');
  expect(userData).toContain('QX_REFS_B64=');
  expect(userData).not.toContain(DEV_SECRET);

  expect(JSON.stringify(await h.store.bakes.get(record.id))).not.toContain(DEV_SECRET);
  expect(JSON.stringify(record)).not.toContain(DEV_SECRET);
  expect(console.join('\n')).not.toContain(DEV_SECRET);
  // Every event the engine emits (what the app forwards over IPC to the renderer) and every file it wrote.
  expect(JSON.stringify(h.events)).not.toContain(DEV_SECRET);
  for (const file of await filesUnder(h.dataDir))
    expect(await readFile(file, 'utf8')).not.toContain(DEV_SECRET);

  const version = await h.store.versions.get('web', 1);
  expect(version?.env).toEqual({ APP_MODE: 'dev', DB_PASSWORD: { ssm: '/app/dev/db-password' } });
  expect(version?.environment).toBeUndefined();
  ec2.destroy();
  await h.expectNoLeaks();
});

test('dev and prod environments bake with their own values; the versions say which', async () => {
  await setUp();
  const dev = await h.bake(withReferences());
  const prod = await h.bake(withReferences(), undefined, { environment: 'prod' });
  expect([dev.status, prod.status]).toEqual(['succeeded', 'succeeded']);
  expect(prod.environment).toBe('prod');
  const prodConsole = await h.store.bakes.readConsole(prod.id);
  expect(
    prodConsole.some((l) => l.endsWith(`DB_PASSWORD set=yes length=${PROD_SECRET.length} mode=prod`)),
  ).toBe(true);
  const builders = h.sim.instances();
  expect(builders.find((i) => i.instanceId === prod.instanceId)?.instanceType).toBe('t3.small');
  // Everything the prod bake made names its environment, so the console can tell which AMI is prod; the
  // bake with the project's own values names none.
  const environmentOf = (r: { tags: Record<string, string> }) => r.tags[TAG_ENVIRONMENT] ?? '(none)';
  const made = (bakeId: string) => ({
    builder: h.sim
      .instances()
      .filter((i) => i.tags[TAG_BAKE_ID] === bakeId)
      .map(environmentOf),
    volumes: h.sim
      .volumes()
      .filter((v) => v.tags[TAG_BAKE_ID] === bakeId)
      .map(environmentOf),
    image: h.sim
      .images()
      .filter((i) => i.tags[TAG_BAKE_ID] === bakeId)
      .map(environmentOf),
    snapshots: h.sim
      .snapshots()
      .filter((s) => s.tags[TAG_BAKE_ID] === bakeId)
      .map(environmentOf),
  });
  expect(made(prod.id)).toEqual({
    builder: ['prod'],
    volumes: ['prod'],
    image: ['prod'],
    snapshots: ['prod'],
  });
  expect(made(dev.id)).toEqual({
    builder: ['(none)'],
    volumes: ['(none)'],
    image: ['(none)'],
    snapshots: ['(none)'],
  });
  const versions = await h.store.versions.list('web', { limit: 10 });
  expect(versions.map((v) => [v.version, v.environment ?? '(project)'])).toEqual([
    [2, 'prod'],
    [1, '(project)'],
  ]);
  expect(versions[0]?.env.DB_PASSWORD).toEqual({ ssm: '/app/prod/db-password' });
  // An environment the project does not define is refused before anything happens.
  await expect(h.engine().start(h.request(withReferences(), { environment: 'staging' }))).rejects.toThrow(
    /web has no environment named staging \(environments: prod\)/,
  );
});

test('without an instance profile the bake fails in preflight, naming what the role needs, and launches nothing', async () => {
  await setUp();
  const record = await h.bake(withReferences({ iamInstanceProfile: undefined }));
  expect(record.status).toBe('failed');
  expect(record.error?.message).toMatch(
    /iamInstanceProfile: DB_PASSWORD is a reference \(ssm:\/app\/dev\/db-password\).*has none.*ssm:GetParameters/,
  );
  expect(record.steps.find((s) => s.step === 'launch')?.status).not.toBe('done');
  expect(h.sim.instances()).toEqual([]);
  await h.expectNoLeaks();
});

test('with a role that may not read the parameter, preflight asks IAM and fails naming the permission; nothing is launched', async () => {
  await setUp();
  h.sim.putRole('prod-only', {
    ProdParameters: {
      Statement: {
        Effect: 'Allow',
        Action: 'ssm:GetParameters',
        Resource: 'arn:aws:ssm:*:*:parameter/app/prod/*',
      },
    },
  });
  const record = await h.bake(withReferences({ iamInstanceProfile: 'prod-only' }));
  expect(record.status).toBe('failed');
  expect(record.error?.message).toMatch(
    /the role prod-only of instance profile prod-only may not ssm:GetParameters on arn:aws:ssm:eu-west-1:\d{12}:parameter\/app\/dev\/db-password \(DB_PASSWORD\): IAM's policy simulator says implicitDeny/,
  );
  expect(h.sim.instances()).toEqual([]);
  // A profile that does not exist is named as such.
  const missing = await h.bake(withReferences({ iamInstanceProfile: 'no-such-profile' }));
  expect(missing.error?.message).toMatch(/there is no instance profile named no-such-profile/);
  expect(h.sim.instances()).toEqual([]);
  await h.expectNoLeaks();
});

test('where the baking identity may not ask IAM, the builder reports the denial in the same words and leaves nothing', async () => {
  await setUp();
  h.sim.putRole('prod-only', {
    ProdParameters: {
      Statement: {
        Effect: 'Allow',
        Action: 'ssm:GetParameters',
        Resource: 'arn:aws:ssm:*:*:parameter/app/prod/*',
      },
    },
  });
  h.sim.setCallerAllowed('iam:SimulatePrincipalPolicy', false);
  const record = await h.bake(withReferences({ iamInstanceProfile: 'prod-only' }));
  expect(record.status).toBe('failed');
  expect(record.steps.find((s) => s.step === 'preflight')?.message).toMatch(/not checked in advance/);
  expect(record.error?.message).toMatch(
    /instance profile prod-only may not read DB_PASSWORD \(ssm:\/app\/dev\/db-password\): AccessDeniedException: User: arn:aws:sts::\d{12}:assumed-role\/prod-only\/i-\w+ is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:eu-west-1:\d{12}:parameter\/app\/dev\/db-password/,
  );
  expect(record.imageId).toBeUndefined();
  await h.expectNoLeaks();
});

test('a role whose policy names the secret’s exact ARN (as the console copies it) is not refused in preflight', async () => {
  await setUp();
  const config = { ...sandboxClientConfig(h.sandbox, { region: REGION, clock: h.clock }), maxAttempts: 1 };
  const sm = new SecretsManagerClient(config);
  const created = await sm.send(
    new CreateSecretCommand({ Name: 'dev/api', SecretString: JSON.stringify({ token: 'api-T0ken-0003' }) }),
  );
  sm.destroy();
  h.sim.putRole('exact-arn', {
    Reads: {
      Statement: [
        { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: 'arn:aws:ssm:*:*:parameter/app/dev/*' },
        { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: created.ARN! },
        { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' },
      ],
    },
  });
  const record = await h.bake(
    withReferences({
      iamInstanceProfile: 'exact-arn',
      initScript: '#!/bin/sh\necho "API_TOKEN length=${#API_TOKEN}"\n',
      env: {
        DB_PASSWORD: { ssm: '/app/dev/db-password' },
        API_TOKEN: { secretsManager: 'dev/api', key: 'token' },
      },
    }),
  );
  expect(record.error?.message).toBeUndefined();
  expect(record.status).toBe('succeeded');
  // Asked in advance, and allowed: not a bake that went on unchecked.
  expect(record.steps.find((s) => s.step === 'preflight')?.message).not.toMatch(/not checked/);
  const console = await h.store.bakes.readConsole(record.id);
  expect(console.some((l) => l.endsWith(`API_TOKEN length=${'api-T0ken-0003'.length}`))).toBe(true);
  await h.expectNoLeaks();
});

test('a secret referenced by name that does not exist fails preflight naming it and its region; nothing is launched', async () => {
  await setUp();
  const record = await h.bake(
    withReferences({ env: { API_TOKEN: { secretsManager: 'dev/missing', key: 'token' } } }),
  );
  expect(record.status).toBe('failed');
  expect(record.error?.message).toMatch(
    /env: API_TOKEN references secretsmanager:dev\/missing#token\. There is no secret named dev\/missing in eu-west-1 .*could never read API_TOKEN/,
  );
  expect(h.sim.instances()).toEqual([]);
  await h.expectNoLeaks();
});
