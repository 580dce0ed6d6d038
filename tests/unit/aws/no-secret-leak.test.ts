import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { runCli } from '../../../src/cli/program';
import { createAwsClients, type AwsClients } from '../../../src/main/services/aws/clients';
import { getCallerIdentity } from '../../../src/main/services/aws/identity';
import { checkPermissions } from '../../../src/main/services/aws/permissions';
import { createPickers } from '../../../src/main/services/aws/pickers';
import { generatePolicy } from '../../../src/main/services/aws/policy';
import { discoverProfiles } from '../../../src/main/services/aws/profiles';
import { describeTarget, resolveTarget } from '../../../src/main/services/aws/target';
import { systemClock } from '../../../src/main/services/clock';
import { startSandbox, type SandboxHandle } from '../../../src/sandbox';
import { AppError } from '../../../src/shared/result';
import {
  BASE_SECRET,
  PROCESS_ARG_SECRET,
  PROCESS_SECRET,
  makeAwsFiles,
  sandboxProfiles,
  type AwsFiles,
} from './aws-files';
import { project } from './project-fixtures';

const MFA_CODE = '907531';
let sandbox: SandboxHandle;
let files: AwsFiles;
let dataDir: string;
const opened: AwsClients[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'leak', throttling: false });
  const profiles = sandboxProfiles(sandbox.url);
  files = await makeAwsFiles(profiles.config, profiles.credentials);
  for (const name of ['HOME', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'] as const)
    vi.stubEnv(name, files.env[name]);
  dataDir = await mkdtemp(join(tmpdir(), 'qx-leak-data-'));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  for (const clients of opened) clients.destroy();
  await sandbox.close();
  await files.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name), 'utf8')),
  );
}

it('keeps keys, session tokens and MFA codes out of everything bound for the renderer, the CLI and the data dir', async () => {
  const web = project();
  const shapes: unknown[] = [await discoverProfiles({ env: files.env }), generatePolicy(web)];
  const secrets = [BASE_SECRET, PROCESS_SECRET, PROCESS_ARG_SECRET];
  const pickers = createPickers({ clock: systemClock });

  for (const profile of ['base', 'admin', 'proc']) {
    const target = await resolveTarget({
      profile,
      env: files.env,
      askMfaCode: () => Promise.resolve(MFA_CODE),
    });
    const clients = createAwsClients(target, { maxAttempts: 1 });
    opened.push(clients);
    shapes.push(
      describeTarget(target),
      await getCallerIdentity(clients),
      await checkPermissions(clients, web),
      await pickers.publicAliases(clients, 'x86_64'),
      await pickers.subnets(clients),
    );
    const credentials = await target.credentials();
    secrets.push(
      credentials.secretAccessKey,
      ...(credentials.sessionToken ? [credentials.sessionToken] : []),
    );
  }
  // The assumed role really went through STS with the MFA code: its session token is among the secrets.
  expect(sandbox.sim.calls({ action: 'AssumeRole' }).at(-1)?.params).toMatchObject({ TokenCode: MFA_CODE });
  expect(secrets).toHaveLength(7);

  const failing = createAwsClients(await resolveTarget({ profile: 'proc-fails', env: files.env }), {
    maxAttempts: 1,
  });
  opened.push(failing);
  const failure = await getCallerIdentity(failing).catch((e: unknown) => e);
  expect(failure).toBeInstanceOf(AppError);
  shapes.push((failure as AppError).toPayload());

  const projectFile = join(dataDir, 'web.yaml');
  const alias = '/aws/service/debian/release/12/latest/amd64';
  await writeFile(
    projectFile,
    `name: web\nbaseImage: { kind: ssm, parameter: ${alias} }\ninitScript: "#!/bin/sh\\n"\n`,
  );
  const cliOutput: string[] = [];
  const io = {
    stdout: (s: string) => void cliOutput.push(s),
    stderr: (s: string) => void cliOutput.push(s),
    env: files.env,
  };
  expect(await runCli(['--data-dir', dataDir, 'projects', 'import', projectFile], io)).toBe(0);
  expect(
    await runCli(['--data-dir', dataDir, 'profiles', '--json', '--resolve', '--mfa-code', MFA_CODE], io),
  ).toBe(0);
  expect(
    await runCli(['--data-dir', dataDir, 'check', 'web', '--profile', 'admin', '--mfa-code', MFA_CODE], io),
  ).toBe(0);
  expect(cliOutput.join('')).toContain('assumed-role/QuadraxisBaker/alice-quadraxis');

  const haystacks = [
    ...shapes.map((s) => JSON.stringify(s)),
    cliOutput.join(''),
    ...(await filesUnder(dataDir)),
  ];
  expect(haystacks.length).toBeGreaterThan(15);
  for (const haystack of haystacks) {
    for (const secret of secrets) expect(haystack).not.toContain(secret);
    expect(haystack).not.toMatch(new RegExp(`(?<!\\d)${MFA_CODE}(?!\\d)`));
  }
});
