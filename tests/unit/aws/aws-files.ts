import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary ~/.aws: config and credentials files plus the env that points the SDK at them. */
export interface AwsFiles {
  dir: string;
  configPath: string;
  credentialsPath: string;
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export async function makeAwsFiles(
  config: string,
  credentials = '',
  env: NodeJS.ProcessEnv = {},
): Promise<AwsFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'qx-aws-'));
  const configPath = join(dir, 'config');
  const credentialsPath = join(dir, 'credentials');
  await writeFile(configPath, config);
  await writeFile(credentialsPath, credentials);
  return {
    dir,
    configPath,
    credentialsPath,
    env: { HOME: dir, AWS_CONFIG_FILE: configPath, AWS_SHARED_CREDENTIALS_FILE: credentialsPath, ...env },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Secrets the sandbox-backed profiles below use; tests scan outputs for them. */
export const BASE_SECRET = 'baseSecretAccessKeyValue0000000000000000';
export const BASE_KEY_ID = 'AKIABASEBASEBASE0000';
export const PROCESS_SECRET = 'processSecretAccessKeyValue000000000000';
export const PROCESS_ARG_SECRET = 'topsecret-process-argument';
export const MFA_SERIAL = 'arn:aws:iam::123456789012:mfa/alice';
export const ROLE_ARN = 'arn:aws:iam::210987654321:role/QuadraxisBaker';

/** A credential_process command line: node printing what the AWS CLI expects, with a secret argument. */
function processCommand(script: string): string {
  return `"${process.execPath}" -e "${script}" -- --token=${PROCESS_ARG_SECRET}`;
}

/**
 * Profiles of every kind, all pointed at a sandbox through endpoint_url so their credentials can really be
 * used (the sandbox accepts any keys; its STS checks the MFA code's shape).
 */
export function sandboxProfiles(url: string): { config: string; credentials: string } {
  const ok = `process.stdout.write(JSON.stringify({Version:1,AccessKeyId:'AKIAPROCESS000000000',SecretAccessKey:'${PROCESS_SECRET}'}))`;
  return {
    config: `
[profile base]
region = us-east-1
endpoint_url = ${url}

[profile admin]
role_arn = ${ROLE_ARN}
source_profile = base
mfa_serial = ${MFA_SERIAL}
role_session_name = alice-quadraxis
region = eu-west-1
endpoint_url = ${url}

[profile proc]
credential_process = ${processCommand(ok)}
region = us-east-1
endpoint_url = ${url}

[profile proc-fails]
credential_process = ${processCommand("process.stderr.write('the vault is sealed'); process.exit(3)")}
region = us-east-1

[profile proc-garbage]
credential_process = ${processCommand("process.stdout.write('not json')")}
region = us-east-1

[profile legacy-sso]
sso_start_url = https://quadraxis-unit-test.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = Builder
region = us-east-1

[profile ops-sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Builder
region = us-east-1

[profile via-sso]
role_arn = ${ROLE_ARN}
source_profile = ops-sso
region = us-east-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[profile no-region]
source_profile = base
role_arn = ${ROLE_ARN}
endpoint_url = ${url}

[profile empty]
output = json
`,
    credentials: `
[base]
aws_access_key_id = ${BASE_KEY_ID}
aws_secret_access_key = ${BASE_SECRET}
`,
  };
}
