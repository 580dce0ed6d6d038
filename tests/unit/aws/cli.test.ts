import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAwsSession } from '../../../src/cli/aws-session';
import { getCallerIdentity } from '../../../src/main/services/aws/identity';
import { startSandbox, type SandboxHandle } from '../../../src/sandbox';
import { IamPolicySchema, PermissionReportSchema, ProfileListSchema } from '../../../src/shared/aws';
import { runCliOn } from '../../helpers/run-cli';
import { makeAwsFiles, sandboxProfiles, type AwsFiles } from './aws-files';

let sandbox: SandboxHandle;
let files: AwsFiles;
let dir: string;
let projectFile: string;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'cli', throttling: false });
  const profiles = sandboxProfiles(sandbox.url);
  files = await makeAwsFiles(`${profiles.config}\n[profile broken\n`, profiles.credentials, {
    AWS_PROFILE: 'base',
  });
  dir = await mkdtemp(join(tmpdir(), 'qx-aws-cli-'));
  projectFile = join(dir, 'web.yaml');
  await writeFile(
    projectFile,
    [
      'name: web',
      'region: us-east-1',
      'baseImage: { kind: ssm, parameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64 }',
      'instanceType: t4g.micro',
      'iamInstanceProfile: builder',
      'initScript: "#!/bin/sh\\necho hi\\n"',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await sandbox.close();
  await files.cleanup();
  await rm(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCliOn(join(dir, 'data'), args, files.env);

describe('quadraxis profiles', () => {
  it('prints a table marking the current profile, with the problems below it', async () => {
    const { code, stdout } = await cli('profiles');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^\s+NAME\s+KIND\s+REGION\s+DETAILS$/);
    expect(lines.find((l) => l.includes(' admin '))).toMatch(
      /admin\s+assume-role\s+eu-west-1\s+arn:aws:iam::210987654321:role\/QuadraxisBaker via base, MFA, endpoint http/,
    );
    expect(lines.find((l) => l.startsWith('*'))).toMatch(
      /^\*\s+base\s+keys\s+us-east-1\s+keys in config \+ credentials/,
    );
    expect(lines.find((l) => l.includes(' ops-sso '))).toMatch(/SSO 111122223333\/Builder \(corp\)/);
    expect(stdout).toContain('Problems:\n');
    expect(stdout).toMatch(/config:\d+: This section header has no closing \]/);
    expect(stdout).toContain('profile empty: No credentials');
  });

  it('prints JSON, and with --resolve asks STS who each usable profile is', async () => {
    const plain = ProfileListSchema.parse(JSON.parse((await cli('profiles', '--json')).stdout));
    expect(plain.currentProfile).toBe('base');

    const { code, stdout } = await cli('profiles', '--json', '--resolve', '--mfa-code', '111111');
    expect(code).toBe(0);
    const resolved = JSON.parse(stdout) as {
      profiles: { name: string; identity?: { arn: string }; error?: { code: string } }[];
    };
    const byName = Object.fromEntries(resolved.profiles.map((p) => [p.name, p]));
    expect(byName.base?.identity?.arn).toBe('arn:aws:iam::123456789012:user/sandbox');
    expect(byName.admin?.identity?.arn).toMatch(/assumed-role\/QuadraxisBaker/);
    expect(byName['legacy-sso']?.error?.code).toBe('SSO_EXPIRED');
    expect(byName.sandbox?.identity?.arn).toBe('arn:aws:iam::123456789012:user/sandbox');
    expect(byName.empty).not.toHaveProperty('identity');
    expect(byName.empty).not.toHaveProperty('error');
  });
});

describe('cliAwsSession', () => {
  it('assumes a role once for a command that connects to several regions', async () => {
    const session = cliAwsSession(
      { stdout: () => undefined, stderr: () => undefined, env: files.env },
      { mfaCode: '222222' },
    );
    try {
      const before = sandbox.sim.calls({ action: 'AssumeRole' }).length;
      const west = await session.connect({ profile: 'admin', region: 'eu-west-1' });
      const east = await session.connect({ profile: 'admin', region: 'us-east-1' });
      expect(await session.connect({ profile: 'admin', region: 'us-east-1' })).toBe(east);
      expect((await getCallerIdentity(west)).arn).toBe((await getCallerIdentity(east)).arn);
      expect(sandbox.sim.calls({ action: 'AssumeRole' }).length - before).toBe(1);
    } finally {
      await session.close();
    }
  });
});

describe('quadraxis policy', () => {
  it('prints the policy JSON, with explanations on stderr', async () => {
    const { code, stdout, stderr } = await cli(
      'policy',
      '--file',
      projectFile,
      '--account-id',
      '123456789012',
      '--explain',
    );
    expect(code).toBe(0);
    const policy = IamPolicySchema.parse(JSON.parse(stdout));
    expect(policy.Statement.map((s) => s.Sid)).toContain('PassBuilderRole');
    expect(JSON.stringify(policy)).toContain('arn:aws:ec2:us-east-1:123456789012:instance/*');
    expect(stderr).toMatch(/^LaunchTaggedBuilder: Launch the builder instance/m);
  });

  it('exits 2 on bad input', async () => {
    expect((await cli('policy', '--file', projectFile, '--account-id', '12')).code).toBe(2);
    expect((await cli('policy')).code).toBe(2);
    expect((await cli('policy', 'web', '--file', projectFile)).code).toBe(2);
    const missing = await cli('policy', '--file', join(dir, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: Cannot read .*nope\.yaml/);
    expect((await cli('policy', 'unknown-project')).stderr).toBe(
      'error: No project named "unknown-project".\n',
    );
  });
});

describe('quadraxis check', () => {
  it('passes (exit 0) when every action is allowed, in the CLI’s own sandbox', async () => {
    const { code, stdout, stderr } = await cli('check', '--file', projectFile, '--profile', 'sandbox');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^Project web as arn:aws:iam::123456789012:user\/sandbox \(profile sandbox, us-east-1, simulated\)\n/,
    );
    expect(stdout).toMatch(/Base image ami-\w+ al2023-ami-2023\.6\.20241031\.0-kernel-6\.1-arm64 \(arm64\)/);
    expect(stdout).toMatch(/ssm:GetParameter\s+allowed/);
  });

  it('fails (exit 1) naming the denied actions', async () => {
    sandbox.sim.setDryRunAllowed('StopInstances', false);
    try {
      const { code, stdout, stderr } = await cli(
        'check',
        '--file',
        projectFile,
        '--profile',
        'base',
        '--json',
      );
      expect(code).toBe(1);
      const report = PermissionReportSchema.parse(JSON.parse(stdout));
      expect(report.results.find((r) => r.action === 'ec2:StopInstances')?.status).toBe('denied');
      expect(stderr).toBe('error: 1 of 12 actions would fail: ec2:StopInstances.\n');
    } finally {
      sandbox.sim.setDryRunAllowed('StopInstances', true);
    }
  });

  it('shows what IAM says of the builder’s role for each environment, and fails (exit 1) on a denial', async () => {
    const file = join(dir, 'secrets.yaml');
    await writeFile(
      file,
      [
        'name: secrets',
        'region: us-east-1',
        'baseImage: { kind: ssm, parameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64 }',
        'instanceType: t4g.micro',
        'iamInstanceProfile: prod-only',
        'initScript: "#!/bin/sh\\necho hi\\n"',
        'env:',
        '  APP_MODE: prod',
        '  DB_PASSWORD: { ssm: /app/prod/db-password }',
        '  CACHE_KEY: { ssm: /app/dev/cache-key }',
        'environments:',
        '  dev: { env: { APP_MODE: dev } }',
        '  prod: { env: { CACHE_KEY: { ssm: /app/prod/cache-key } } }',
        '',
      ].join('\n'),
    );
    sandbox.sim.putRole('prod-only', {
      ProdParameters: {
        Statement: {
          Effect: 'Allow',
          Action: 'ssm:GetParameters',
          Resource: 'arn:aws:ssm:*:*:parameter/app/prod/*',
        },
      },
    });
    try {
      const { code, stdout, stderr } = await cli('check', '--file', file, '--profile', 'base');
      expect(code).toBe(1);
      const role = stdout.slice(stdout.indexOf("Builder's instance role"));
      expect(role).toContain(
        "The project's own values and environment dev: instance profile prod-only, role arn:aws:iam::123456789012:role/prod-only\n" +
          '  denied: Role prod-only may not read 1 of 2 references: a bake fails in preflight.\n',
      );
      expect(role).toMatch(
        /\n {2}DB_PASSWORD\s+ssm:\/app\/prod\/db-password\s+ssm:GetParameters\s+arn:aws:ssm:us-east-1:123456789012:parameter\/app\/prod\/db-password\s+allowed\n/,
      );
      expect(role).toMatch(
        /CACHE_KEY\s+ssm:\/app\/dev\/cache-key\s+ssm:GetParameters\s+\S+\s+implicitDeny\n/,
      );
      expect(role).toContain(
        `  The policy the role needs: quadraxis policy --file ${file} --instance-role\n`,
      );
      expect(role).toMatch(
        /Environment prod: instance profile prod-only, role \S+\n {2}allowed: Role prod-only may read all 2 references\.\n/,
      );
      // Every EC2 action is allowed: the role alone fails the check, in the words of the report.
      expect(stdout).not.toMatch(/\s(denied|error)\n/);
      expect(stderr).toBe(
        "error: The builder's instance role for the project's own values and environment dev: Role prod-only may not read 1 of 2 references: a bake fails in preflight.\n",
      );

      // A role IAM may not be asked about is reported, and does not fail the check.
      sandbox.sim.setCallerAllowed('iam:SimulatePrincipalPolicy', false);
      const unchecked = await cli('check', '--file', file, '--profile', 'base');
      expect(unchecked.code).toBe(0);
      expect(unchecked.stdout).toContain(
        'not checkable: iam:SimulatePrincipalPolicy is not allowed for this identity, so the role was not checked. Not a failure',
      );

      // A profile that does not exist fails too; --json carries the same verdicts.
      sandbox.sim.setCallerAllowed('iam:SimulatePrincipalPolicy', true);
      sandbox.sim.deleteInstanceProfile('prod-only');
      const missing = await cli('check', '--file', file, '--profile', 'base', '--json');
      expect(missing.code).toBe(1);
      const report = PermissionReportSchema.parse(JSON.parse(missing.stdout));
      expect(report.builderRole?.map((c) => [c.scope.environments, c.status])).toEqual([
        [['dev'], 'no-such-profile'],
        [['prod'], 'no-such-profile'],
      ]);
    } finally {
      sandbox.sim.reset();
    }
  });

  it('exits 2 on an unknown profile or a missing project, and 1 when credentials fail', async () => {
    const unknown = await cli('check', '--file', projectFile, '--profile', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: Unknown profile "nope"/);
    expect((await cli('check')).code).toBe(2);
    const sso = await cli('check', '--file', projectFile, '--profile', 'ops-sso');
    expect(sso.code).toBe(1);
    expect(sso.stderr).toContain('Run: aws sso login --profile ops-sso');
  });
});
