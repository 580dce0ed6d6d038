import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutSecureParameterRequestSchema, SecretValueSchema } from '../../../src/shared/ipc/aws.contract';
import { resolveSelection } from '../../../src/main/app/handlers/aws-handlers';
import { ProjectSchema } from '../../../src/shared/project';
import { openAppFixture, type AppFixture } from '../../helpers/app-fixture';
import { sampleProject } from './sample-project';

const AWS_CONFIG = [
  '[profile staging]',
  'region = eu-west-1',
  '',
  '[profile settings-only]',
  'region = eu-central-1',
  '',
].join('\n');
const AWS_CREDENTIALS = [
  '[staging]',
  'aws_access_key_id = AKIAIOSFODNN7EXAMPLE',
  'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  '',
].join('\n');

let app: AppFixture;
beforeAll(async () => {
  app = await openAppFixture({ aws: { config: AWS_CONFIG, credentials: AWS_CREDENTIALS } });
});
afterAll(async () => {
  await app.close();
});

const project = ProjectSchema.parse(sampleProject('web'));

describe('aws handlers', () => {
  it('lists the sandbox beside the config profiles, and never a secret', async () => {
    const list = await app.value('aws:profiles', { refresh: true });
    expect(list.profiles.map((p) => [p.name, p.kind])).toEqual(
      expect.arrayContaining([
        ['sandbox', 'sandbox'],
        ['staging', 'keys'],
        ['settings-only', 'incomplete'],
      ]),
    );
    expect(JSON.stringify(list)).not.toContain('wJalrXUtnFEMI');
  });

  it('uses the header’s profile and region unless a call names its own', async () => {
    expect(await resolveSelection(app.ctx, {})).toEqual({ profile: 'sandbox' });
    app.ctx.settings.update({ profile: 'staging', region: 'eu-north-1' });
    expect(await resolveSelection(app.ctx, {})).toEqual({ profile: 'staging', region: 'eu-north-1' });
    expect(await resolveSelection(app.ctx, { profile: 'sandbox' })).toEqual({ profile: 'sandbox' });
    expect(await resolveSelection(app.ctx, { region: 'us-west-2' })).toEqual({
      profile: 'staging',
      region: 'us-west-2',
    });
    app.ctx.settings.update({ profile: 'sandbox', region: null });
  });

  it('resolves the sandbox identity, and explains a profile without credentials in words', async () => {
    const { target, identity } = await app.value('aws:identity', {});
    expect(target).toMatchObject({ profile: 'sandbox', simulated: true, region: 'us-east-1' });
    expect(identity.account).toMatch(/^\d{12}$/);
    expect(identity.arn).toContain(identity.account);
    const broken = await app.call('aws:identity', { profile: 'settings-only' });
    expect(broken).toMatchObject({
      ok: false,
      error: { code: 'CREDENTIALS', message: expect.stringContaining('settings-only') },
    });
  });

  it('dry-runs a project’s calls and reports a denied action with EC2’s own code', async () => {
    app.ctx.runtime.sandbox.running!.sim.setDryRunAllowed('CreateImage', false);
    const report = await app.value('aws:check-permissions', { project });
    app.ctx.runtime.sandbox.running!.sim.setDryRunAllowed('CreateImage', true);
    expect(report.ok).toBe(false);
    const denied = report.results.filter((r) => r.status !== 'allowed');
    expect(denied).toEqual([
      expect.objectContaining({ action: 'ec2:CreateImage', status: 'denied', code: 'UnauthorizedOperation' }),
    ]);
    expect(report.baseImage?.architecture).toBe('x86_64');
  });

  it('scopes the policy to the account when it can, and says why when it cannot', async () => {
    const scoped = await app.value('aws:policy', { project });
    const { account } = (await app.value('aws:identity', {})).identity;
    expect(scoped).toMatchObject({ accountId: account, region: 'us-east-1' });
    expect(JSON.stringify(scoped.policy)).toContain(`:${account}:`);
    expect(scoped.explanations.map((e) => e.sid)).toEqual(scoped.policy.Statement.map((s) => s.Sid));
    const unscoped = await app.value('aws:policy', { project, target: { profile: 'settings-only' } });
    expect(unscoped.accountId).toBeUndefined();
    expect(unscoped.note).toMatch(/^Not scoped to an account: .*settings-only/);
  });

  it('feeds the form’s pickers: aliases, image preview, instance types by architecture, network', async () => {
    const aliases = await app.value('aws:list-aliases', { architecture: 'arm64' });
    expect(aliases.items.length).toBeGreaterThan(0);
    expect(aliases.items.every((a) => a.architecture === 'arm64' && a.image?.imageId)).toBe(true);
    const preview = await app.value('aws:preview-image', {
      baseImage: {
        kind: 'latest',
        owners: ['099720109477'],
        namePattern: 'ubuntu/images/*24.04-arm64*',
        architecture: 'arm64',
      },
    });
    expect(preview).toMatchObject({ architecture: 'arm64', ownerId: '099720109477' });
    const types = await app.value('aws:list-instance-types', { architecture: 'arm64' });
    expect(types.items.length).toBeGreaterThan(0);
    expect(types.items.every((t) => t.architectures.includes('arm64'))).toBe(true);
    const vpcs = await app.value('aws:list-vpcs', {});
    const vpcId = vpcs.items[0]!.vpcId;
    const subnets = await app.value('aws:list-subnets', { vpcId });
    expect(subnets.items.length).toBeGreaterThan(0);
    expect(subnets.items.every((s) => s.vpcId === vpcId)).toBe(true);
    const groups = await app.value('aws:list-security-groups', { vpcId });
    expect(groups.items.some((g) => g.groupName === 'default')).toBe(true);
    const images = await app.value('aws:search-images', {
      query: { owners: ['amazon'], namePattern: 'al2023-ami-*', architecture: 'x86_64' },
    });
    const dates = images.items.map((i) => i.creationDate ?? '');
    expect(dates).toEqual([...dates].sort().reverse());
  });

  it('carries an MFA prompt to the renderer and only the code back', async () => {
    const asked = app.ctx.mfa.ask('arn:aws:iam::123456789012:mfa/me', 'prod');
    const request = app.events.findLast((e) => e.channel === 'aws:mfa-request')?.payload as {
      requestId: string;
    };
    expect(request).toEqual({
      requestId: expect.any(String),
      profile: 'prod',
      mfaSerial: 'arn:aws:iam::123456789012:mfa/me',
    });
    expect(await app.call('aws:mfa-answer', { requestId: request.requestId, code: '12345' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await app.value('aws:mfa-answer', { requestId: request.requestId, code: '123456' })).toEqual({
      accepted: true,
    });
    await expect(asked).resolves.toBe('123456');
    expect(await app.value('aws:mfa-answer', { requestId: request.requestId, code: null })).toEqual({
      accepted: false,
    });
  });
});

describe('aws:put-secure-parameter', () => {
  const VALUE = 'From-the-masked-field-7731';

  it('creates then updates a SecureString under the chosen key; the value is answered, kept and written nowhere', async () => {
    const first = await app.value('aws:put-secure-parameter', {
      target: { profile: 'sandbox', region: 'eu-west-1' },
      name: '/app/prod/db-password',
      value: VALUE,
      keyId: 'alias/quadraxis-images',
    });
    expect(first).toEqual({
      name: '/app/prod/db-password',
      version: 1,
      region: 'eu-west-1',
      keyId: 'alias/quadraxis-images',
    });
    const again = await app.value('aws:put-secure-parameter', {
      target: { profile: 'sandbox', region: 'eu-west-1' },
      name: '/app/prod/db-password',
      value: `${VALUE}-rotated`,
    });
    expect(again.version).toBe(2);
    const sim = app.ctx.runtime.sandbox.running!.sim;
    const [stored] = sim
      .parameters({ region: 'eu-west-1' })
      .filter((p) => p.name === '/app/prod/db-password');
    expect(stored).toMatchObject({ type: 'SecureString', value: `${VALUE}-rotated`, version: 2 });
    expect(JSON.stringify([first, again])).not.toContain(VALUE);
    const entries = await readdir(app.dataDir, { withFileTypes: true, recursive: true });
    for (const file of entries.filter((e) => e.isFile()))
      expect(await readFile(join(file.parentPath, file.name), 'utf8')).not.toContain(VALUE);
  });

  it('refuses a disabled key, an empty value and a versioned name in words, without echoing the value', async () => {
    const disabled = await app.call('aws:put-secure-parameter', {
      target: { profile: 'sandbox', region: 'eu-west-1' },
      name: '/app/prod/other',
      value: VALUE,
      keyId: 'alias/quadraxis-retired',
    });
    expect(disabled).toMatchObject({ ok: false, error: { message: expect.stringContaining('disabled') } });
    expect(JSON.stringify(disabled)).not.toContain(VALUE);
    expect(await app.call('aws:put-secure-parameter', { name: '/app/prod/other', value: '' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringContaining('Enter the value') },
    });
    const versioned = await app.call('aws:put-secure-parameter', { name: '/app/prod/other:3', value: VALUE });
    expect(versioned).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(JSON.stringify(versioned)).not.toContain(VALUE);
  });

  it('marks the value secret in the contract, so scans can find every field that carries one', () => {
    expect(SecretValueSchema.meta()).toMatchObject({ secret: true });
    expect(PutSecureParameterRequestSchema.shape.value).toBe(SecretValueSchema);
  });
});
