import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients, type AwsClients } from '../../../src/main/services/aws/clients';
import type { AskMfaCode } from '../../../src/main/services/aws/credentials';
import { getCallerIdentity } from '../../../src/main/services/aws/identity';
import {
  describeTarget,
  resolveTarget,
  type ResolveTargetOptions,
} from '../../../src/main/services/aws/target';
import { startSandbox, type SandboxHandle } from '../../../src/sandbox';
import { AppError } from '../../../src/shared/result';
import { MFA_SERIAL, makeAwsFiles, sandboxProfiles, type AwsFiles } from './aws-files';

let sandbox: SandboxHandle;
let files: AwsFiles;
const opened: AwsClients[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'credentials', throttling: false });
  const profiles = sandboxProfiles(sandbox.url);
  files = await makeAwsFiles(profiles.config, profiles.credentials);
  // The SDK reads HOME (its SSO token cache) from process.env itself, and fromIni does not pass the file
  // paths on to fromSSO for a role sourced from SSO: the app's env is process.env, so mirror that here.
  for (const name of ['HOME', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'] as const)
    vi.stubEnv(name, files.env[name]);
});
afterEach(() => {
  for (const clients of opened.splice(0)) clients.destroy();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await sandbox.close();
  await files.cleanup();
});

async function connect(profile: string, options: Partial<ResolveTargetOptions> = {}): Promise<AwsClients> {
  const target = await resolveTarget({
    profile,
    env: files.env,
    sandbox: () => Promise.resolve(sandbox),
    ...options,
  });
  const clients = createAwsClients(target, { maxAttempts: 1 });
  opened.push(clients);
  return clients;
}

async function failure(work: Promise<unknown>): Promise<AppError> {
  const error: unknown = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('credential resolution against the sandbox', () => {
  it('uses static keys from the credentials file', async () => {
    const clients = await connect('base');
    expect(describeTarget(clients.target)).toEqual({
      profile: 'base',
      kind: 'keys',
      region: 'us-east-1',
      endpoints: {
        ec2: sandbox.url,
        sts: sandbox.url,
        ssm: sandbox.url,
        kms: sandbox.url,
        autoscaling: sandbox.url,
        iam: sandbox.url,
      },
      simulated: false,
    });
    expect(await getCallerIdentity(clients)).toEqual({
      account: '123456789012',
      arn: 'arn:aws:iam::123456789012:user/sandbox',
      userId: 'AIDASANDBOXUSER00000',
    });
    const signed = sandbox.sim.calls({ action: 'GetCallerIdentity' }).at(-1);
    expect(signed?.region).toBe('us-east-1');
  });

  it('assumes a role with an MFA code asked once for all three clients', async () => {
    const ask = vi.fn<AskMfaCode>().mockResolvedValue(' 123456 ');
    const clients = await connect('admin', { askMfaCode: ask });
    const identity = await getCallerIdentity(clients);
    expect(identity.arn).toBe('arn:aws:sts::210987654321:assumed-role/QuadraxisBaker/alice-quadraxis');
    await clients.ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
    expect(ask).toHaveBeenCalledTimes(1);
    expect(ask).toHaveBeenCalledWith(MFA_SERIAL, 'admin');
    const assume = sandbox.sim.calls({ action: 'AssumeRole' }).at(-1);
    expect(assume?.params).toMatchObject({ SerialNumber: MFA_SERIAL, TokenCode: '123456' });
    expect(clients.target.region).toBe('eu-west-1');
  });

  it('says MFA is required when the prompt is cancelled, malformed or missing', async () => {
    const cancelled = await failure(
      connect('admin', { askMfaCode: () => Promise.reject(new Error('closed')) }).then(getCallerIdentity),
    );
    expect(cancelled.code).toBe('MFA_REQUIRED');
    expect(cancelled.details).toMatchObject({ reason: 'cancelled', mfaSerial: MFA_SERIAL });

    const malformed = await failure(
      connect('admin', { askMfaCode: () => Promise.resolve('12ab') }).then(getCallerIdentity),
    );
    expect(malformed.code).toBe('MFA_REQUIRED');
    expect(malformed.message).toBe('An MFA code is the 6 digits your device shows.');

    const noPrompt = await failure(connect('admin').then(getCallerIdentity));
    expect(noPrompt.code).toBe('MFA_REQUIRED');
    expect(noPrompt.details?.reason).toBe('no-prompt');
  });

  it('runs credential_process and explains when it fails without echoing its command line', async () => {
    const clients = await connect('proc');
    expect((await getCallerIdentity(clients)).account).toBe('123456789012');
    const credentials = await clients.target.credentials();
    expect(credentials.accessKeyId).toBe('AKIAPROCESS000000000');

    const failed = await failure(connect('proc-fails').then(getCallerIdentity));
    expect(failed.code).toBe('CREDENTIALS');
    expect(failed.message).toBe('The credential_process of profile "proc-fails" failed: the vault is sealed');
    expect(JSON.stringify(failed.toPayload())).not.toContain('topsecret');

    const garbage = await failure(connect('proc-garbage').then(getCallerIdentity));
    expect(garbage.message).toBe('The credential_process of profile "proc-garbage" returned invalid JSON.');
  });

  it('uses AWS_* environment variables for the environment profile', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAENVIRONMENT00000');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'environmentSecret');
    try {
      const env = {
        ...files.env,
        AWS_ACCESS_KEY_ID: 'AKIAENVIRONMENT00000',
        AWS_SECRET_ACCESS_KEY: 'environmentSecret',
      };
      const clients = await connect('environment', { env, region: 'ap-south-1', endpoint: sandbox.url });
      expect(clients.target).toMatchObject({
        kind: 'environment',
        region: 'ap-south-1',
        fromConfigFiles: false,
      });
      expect((await clients.target.credentials()).accessKeyId).toBe('AKIAENVIRONMENT00000');
      expect((await getCallerIdentity(clients)).account).toBe('123456789012');
    } finally {
      vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);
    }
  });

  it('targets the sandbox with its own endpoint and credentials', async () => {
    const clients = await connect('sandbox', { region: 'eu-north-1' });
    expect(describeTarget(clients.target)).toMatchObject({
      simulated: true,
      region: 'eu-north-1',
      kind: 'sandbox',
    });
    expect((await getCallerIdentity(clients)).arn).toBe('arn:aws:iam::123456789012:user/sandbox');
    const unavailable = await failure(resolveTarget({ profile: 'sandbox', env: files.env }));
    expect(unavailable.code).toBe('UNAVAILABLE');
  });

  it('uses the endpoint given for the sandbox profile and starts no sandbox of its own', async () => {
    let started = 0;
    const target = await resolveTarget({
      profile: 'sandbox',
      endpoint: sandbox.url,
      env: files.env,
      sandbox: () => {
        started++;
        return Promise.resolve({ url: 'http://127.0.0.1:1' });
      },
    });
    expect(started).toBe(0);
    expect(target.endpoints).toEqual({
      ec2: sandbox.url,
      sts: sandbox.url,
      ssm: sandbox.url,
      kms: sandbox.url,
      autoscaling: sandbox.url,
      iam: sandbox.url,
    });
    const clients = createAwsClients(target, { maxAttempts: 1 });
    opened.push(clients);
    expect((await getCallerIdentity(clients)).arn).toBe('arn:aws:iam::123456789012:user/sandbox');
  });
});

describe('SSO and profile errors', () => {
  it('sends a legacy SSO profile without a cached token to `aws sso login`', async () => {
    const error = await failure(connect('legacy-sso').then(getCallerIdentity));
    expect(error.code).toBe('SSO_EXPIRED');
    expect(error.details?.command).toBe('aws sso login --profile legacy-sso');
  });

  it('reports an expired sso-session token, and names the SSO profile behind a role', async () => {
    const cache = join(files.dir, '.aws', 'sso', 'cache');
    await mkdir(cache, { recursive: true });
    const name = createHash('sha1').update('corp').digest('hex');
    await writeFile(
      join(cache, `${name}.json`),
      JSON.stringify({
        accessToken: 'sso-access-token',
        expiresAt: '2020-01-01T00:00:00Z',
        region: 'us-east-1',
      }),
    );
    const direct = await failure(connect('ops-sso').then(getCallerIdentity));
    expect(direct.code).toBe('SSO_EXPIRED');
    expect(direct.message).toContain('aws sso login --profile ops-sso');
    const viaRole = await failure(connect('via-sso').then(getCallerIdentity));
    expect(viaRole.code).toBe('SSO_EXPIRED');
    expect(viaRole.details?.command).toBe('aws sso login --profile ops-sso');
  });

  it('names unknown profiles, profiles without credentials, and a missing region', async () => {
    const unknown = await failure(connect('nope'));
    expect(unknown.code).toBe('CREDENTIALS');
    expect(unknown.details?.reason).toBe('unknown-profile');
    expect(unknown.message).toMatch(/^Unknown profile "nope"\. Known profiles: admin, base, .*sandbox\.$/);

    const empty = await failure(connect('empty'));
    expect(empty.code).toBe('CREDENTIALS');
    expect(empty.message).toMatch(/^Profile "empty" cannot be used: No credentials/);

    const noRegion = await failure(connect('no-region'));
    expect(noRegion.code).toBe('INVALID_INPUT');
    expect(noRegion.details?.reason).toBe('no-region');
    expect((await connect('no-region', { region: 'us-west-2' })).target.region).toBe('us-west-2');

    const badRegion = await failure(connect('base', { region: 'mars-north-1x' }));
    expect(badRegion.code).toBe('INVALID_INPUT');
  });
});
