import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverProfiles } from '../../../src/main/services/aws/profiles';
import { ProfileListSchema, type AwsProfile, type ProfileList } from '../../../src/shared/aws';
import { makeAwsFiles, type AwsFiles } from './aws-files';

const CONFIG = `
[default]
region = eu-west-1

[profile ci]
region = us-east-2

[profile admin]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = ci
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-central-1

[profile ops-sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Builder
region = eu-west-2

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile legacy-sso]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 444455556666
sso_role_name = ReadOnly

[profile vault]
credential_process = /usr/local/bin/aws-vault export --format=json --secret-arg=hunter2 prod
region = ap-southeast-2

[profile local]
services = localstack
endpoint_url = http://localhost:9999

[services localstack]
ec2 =
  endpoint_url = http://localhost:4566

[profile only-region]
region = sa-east-1
`;

const CREDENTIALS = `
[default]
aws_access_key_id = AKIADEFAULTDEFAULT00
aws_secret_access_key = defaultSecretKeyValue000000000000000000

[ci]
aws_access_key_id = AKIACICICICICICICI00
aws_secret_access_key = ciSecretKeyValue0000000000000000000000000
`;

let files: AwsFiles | undefined;
const created: AwsFiles[] = [];
afterEach(async () => {
  await Promise.all(created.splice(0).map((f) => f.cleanup()));
  files = undefined;
});

async function tempFiles(
  config: string,
  credentials = CREDENTIALS,
  env: NodeJS.ProcessEnv = {},
): Promise<AwsFiles> {
  files = await makeAwsFiles(config, credentials, env);
  created.push(files);
  return files;
}

async function discover(config: string, credentials = CREDENTIALS, env: NodeJS.ProcessEnv = {}) {
  const made = await tempFiles(config, credentials, env);
  return ProfileListSchema.parse(await discoverProfiles({ env: made.env }));
}

function byName(list: ProfileList, name: string): AwsProfile {
  const profile = list.profiles.find((p) => p.name === name);
  if (!profile) throw new Error(`no profile ${name} in ${list.profiles.map((p) => p.name).join(', ')}`);
  return profile;
}

describe('discoverProfiles', () => {
  it('classifies every kind and keeps only non-secret details', async () => {
    const list = await discover(CONFIG);
    expect(list.problems).toEqual([]);
    expect(list.profiles.map((p) => [p.name, p.kind])).toEqual([
      ['default', 'keys'],
      ['admin', 'assume-role'],
      ['ci', 'keys'],
      ['legacy-sso', 'sso'],
      ['local', 'incomplete'],
      ['only-region', 'incomplete'],
      ['ops-sso', 'sso'],
      ['vault', 'process'],
      ['sandbox', 'sandbox'],
    ]);
    expect(byName(list, 'default')).toMatchObject({ region: 'eu-west-1', current: true, problems: [] });
    expect(byName(list, 'default').definedIn).toEqual(['config', 'credentials']);
    expect(byName(list, 'admin')).toMatchObject({
      roleArn: 'arn:aws:iam::123456789012:role/Admin',
      sourceProfile: 'ci',
      mfaSerial: 'arn:aws:iam::123456789012:mfa/alice',
      region: 'eu-central-1',
      regionSource: 'profile',
      problems: [],
    });
    expect(byName(list, 'ops-sso').sso).toEqual({
      session: 'corp',
      startUrl: 'https://corp.awsapps.com/start',
      region: 'eu-west-1',
      accountId: '111122223333',
      roleName: 'Builder',
    });
    expect(byName(list, 'legacy-sso')).toMatchObject({
      sso: { startUrl: 'https://legacy.awsapps.com/start', region: 'us-east-1', accountId: '444455556666' },
      problems: [],
    });
    expect(byName(list, 'vault').credentialProcess).toBe('aws-vault');
    expect(byName(list, 'only-region').problems[0]).toMatch(/No credentials/);
    expect(byName(list, 'sandbox')).toMatchObject({
      label: 'Sandbox (simulated, offline)',
      definedIn: ['builtin'],
    });

    const serialized = JSON.stringify(list);
    for (const secret of ['defaultSecretKeyValue', 'ciSecretKeyValue', 'AKIACICI', 'hunter2', '--format']) {
      expect(serialized).not.toContain(secret);
    }
  });

  it('resolves endpoint overrides: services section, then endpoint_url, with env variables first', async () => {
    const list = await discover(CONFIG);
    expect(byName(list, 'local').endpoints).toEqual({
      ec2: 'http://localhost:4566',
      sts: 'http://localhost:9999',
      ssm: 'http://localhost:9999',
      kms: 'http://localhost:9999',
      autoscaling: 'http://localhost:9999',
      iam: 'http://localhost:9999',
    });
    const withEnv = await discover(CONFIG, CREDENTIALS, {
      AWS_ENDPOINT_URL: 'http://env-global:1',
      AWS_ENDPOINT_URL_EC2: 'http://env-ec2:2',
    });
    expect(byName(withEnv, 'local').endpoints).toEqual({
      ec2: 'http://env-ec2:2',
      sts: 'http://env-global:1',
      ssm: 'http://env-global:1',
      kms: 'http://env-global:1',
      autoscaling: 'http://env-global:1',
      iam: 'http://env-global:1',
    });
    const ignored = await discover(CONFIG, CREDENTIALS, { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' });
    expect(byName(ignored, 'local').endpoints).toEqual({});
  });

  it('honours AWS_PROFILE, AWS_REGION and AWS_DEFAULT_REGION like the AWS CLI', async () => {
    const list = await discover(CONFIG, CREDENTIALS, {
      AWS_PROFILE: 'ci',
      AWS_DEFAULT_REGION: 'ca-central-1',
    });
    expect(list.currentProfile).toBe('ci');
    expect(byName(list, 'ci')).toMatchObject({ current: true, region: 'ca-central-1' });
    expect(byName(list, 'default').current).toBe(false);
    expect(byName(list, 'admin')).toMatchObject({
      region: 'ca-central-1',
      regionSource: 'AWS_DEFAULT_REGION',
    });

    const both = await discover(CONFIG, CREDENTIALS, {
      AWS_REGION: 'us-west-2',
      AWS_DEFAULT_REGION: 'ca-central-1',
    });
    expect(byName(both, 'ci')).toMatchObject({ region: 'us-west-2', regionSource: 'AWS_REGION' });

    const missing = await discover(CONFIG, CREDENTIALS, { AWS_PROFILE: 'nope' });
    expect(missing.currentProfile).toBeUndefined();
    expect(missing.problems.map((p) => p.message)).toContain(
      'AWS_PROFILE is set to "nope", which is not defined.',
    );
  });

  it('lists an environment pseudo-profile when AWS_ACCESS_KEY_ID is set, without its keys', async () => {
    const list = await discover(CONFIG, CREDENTIALS, {
      AWS_ACCESS_KEY_ID: 'AKIAENVENVENVENVENV0',
      AWS_SECRET_ACCESS_KEY: 'envSecretValue',
      AWS_PROFILE: 'ci',
    });
    const environment = byName(list, 'environment');
    expect(environment).toMatchObject({
      kind: 'environment',
      current: true,
      region: 'us-east-2',
      problems: [],
    });
    expect(list.currentProfile).toBe('environment');
    expect(byName(list, 'ci').current).toBe(false);
    expect(JSON.stringify(list)).not.toMatch(/AKIAENV|envSecretValue/);
  });

  it('explains a broken file and still lists the good profiles', async () => {
    const broken = `
stray = before-any-section
[profile good]
region = eu-west-1
aws_secret_access_key: oops-this-is-a-secret
[badname]
region = us-east-1
[profile admin]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = ghost
[profile looped]
role_arn = arn:aws:iam::123456789012:role/A
source_profile = looped2
[profile looped2]
role_arn = arn:aws:iam::123456789012:role/B
source_profile = looped
[profile half-sso]
sso_session = missing
[profile typo]
region = eu-west1
aws_access_key_id = AKIAHALF
[profile sandbox]
region = us-east-1
`;
    const list = await discover(
      broken,
      '[profile wrong]\naws_access_key_id = x\n[ci]\naws_access_key_id = AKIA\naws_secret_access_key = s\n',
    );
    const messages = list.problems.map(
      (p) => `${p.file === files!.credentialsPath ? 'credentials' : 'config'}:${p.line ?? '-'} ${p.message}`,
    );
    expect(messages).toEqual([
      'config:2 This setting comes before any [section]; AWS tools ignore it.',
      'config:5 This line is not "key = value"; AWS tools ignore it.',
      'config:6 [badname] is ignored: in the config file a profile section is written [profile badname].',
      'credentials:1 Sections in the credentials file are plain names: write [wrong], not [profile wrong].',
      'config:- Your profile "sandbox" is hidden: Quadraxis reserves that name.',
    ]);
    expect(JSON.stringify(list)).not.toContain('oops-this-is-a-secret');
    expect(byName(list, 'good').region).toBe('eu-west-1');
    expect(byName(list, 'ci').kind).toBe('keys');
    expect(byName(list, 'admin').problems).toEqual([
      'source_profile "ghost" is not defined in the config or credentials file.',
    ]);
    expect(byName(list, 'looped').problems).toEqual([
      'source_profile chain loops: looped → looped2 → looped.',
    ]);
    expect(byName(list, 'half-sso').problems).toEqual([
      'sso_session "missing" has no [sso-session missing] section.',
      'sso_account_id is missing: it is needed to get credentials.',
      'sso_role_name is missing: it is needed to get credentials.',
    ]);
    expect(byName(list, 'typo').problems).toEqual([
      'aws_access_key_id is set but aws_secret_access_key is missing.',
      'region "eu-west1" is not an AWS region name (like eu-west-1).',
    ]);
    expect(list.profiles.filter((p) => p.name === 'sandbox')).toHaveLength(1);
  });

  it('reports a file that AWS_CONFIG_FILE names but that cannot be read, and keeps the other file', async () => {
    files = await tempFiles('', CREDENTIALS);
    const env = { ...files.env, AWS_CONFIG_FILE: join(files.dir, 'missing-config') };
    const list = await discoverProfiles({ env });
    expect(list.configFile).toMatchObject({ exists: false, fromEnv: true });
    expect(list.problems[0]?.message).toMatch(
      /AWS_CONFIG_FILE points to .*missing-config, which does not exist/,
    );
    expect(list.profiles.map((p) => p.name)).toEqual(['default', 'ci', 'sandbox']);

    const directory = await discoverProfiles({ env: { ...files.env, AWS_CONFIG_FILE: files.dir } });
    expect(directory.problems.map((p) => p.message)).toEqual([`${files.dir} is a directory, not a file.`]);
    expect(directory.profiles.map((p) => p.name)).toEqual(['default', 'ci', 'sandbox']);
  });

  it('recognises web identity, console login and credential_source roles', async () => {
    const list = await discover(
      `
[profile ci-oidc]
role_arn = arn:aws:iam::123456789012:role/GitHubActions
web_identity_token_file = /var/run/token
[profile console]
login_session = arn:aws:iam::123456789012:user/alice
[profile on-ec2]
role_arn = arn:aws:iam::123456789012:role/Builder
credential_source = Ec2InstanceMetadata
[profile bad-source]
role_arn = arn:aws:iam::123456789012:role/Builder
credential_source = Laptop
[profile both]
role_arn = arn:aws:iam::123456789012:role/Builder
credential_source = Environment
source_profile = ci
`,
    );
    expect(byName(list, 'ci-oidc')).toMatchObject({ kind: 'web-identity', usable: true });
    expect(byName(list, 'console')).toMatchObject({ kind: 'login', usable: true });
    expect(byName(list, 'on-ec2')).toMatchObject({
      kind: 'assume-role',
      credentialSource: 'Ec2InstanceMetadata',
      usable: true,
    });
    expect(byName(list, 'bad-source')).toMatchObject({ kind: 'assume-role', usable: false });
    expect(byName(list, 'bad-source').problems[0]).toMatch(
      /^credential_source "Laptop" is not one of Environment/,
    );
    expect(byName(list, 'both')).toMatchObject({ kind: 'incomplete', usable: false });
    expect(byName(list, 'both').problems[0]).toBe(
      'Has both source_profile and credential_source; keep one of them.',
    );
  });

  it('lists only the sandbox when there are no AWS files at all', async () => {
    files = await tempFiles('', '');
    const list = await discoverProfiles({ env: { HOME: files.dir } });
    expect(list.configFile).toMatchObject({
      exists: false,
      fromEnv: false,
      path: join(files.dir, '.aws', 'config'),
    });
    expect(list.problems).toEqual([]);
    expect(list.profiles.map((p) => p.name)).toEqual(['sandbox']);
  });
});
