import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { buildScriptWrapper, wrapperText } from '../../../src/main/services/bake/wrapper';
import { RESOLVER_PY } from '../../../src/main/services/bake/wrapper-secrets';
import { UNRESOLVED_EXIT_CODE, type WireReference } from '../../../src/protocol/env-references';
import { beginMarker, doneMarker, parseMarker } from '../../../src/protocol/markers';
import { openSandbox, REGION, type TestSandbox } from '../sandbox/helpers';
import { BAKE, INSTANCE, NONCE, WrapperRoot } from './wrapper-root';

/**
 * The wrapper's reference resolver run for real: dash and bash, the machine's python3 (stdlib only),
 * signing with SigV4 against the Sandbox's verifier, with credentials from a stand-in for the instance
 * metadata service (IMDSv2: a token first) that hands out the Sandbox's own instance-role sessions.
 */
const SECRET = 'pa55-W0rd!with spaces';
const API = '{"token":"tok-123456","user":"svc"}';

let root: WrapperRoot;
let t: TestSandbox;
let imds: Server;
let imdsUrl: string;
/** The instance profile the stand-in IMDS reports; undefined: none attached. */
let profile: string | undefined;
const imdsCalls: string[] = [];

beforeEach(async () => {
  root = await WrapperRoot.create();
  await root.consoles(['ttyS0']);
  await root.cloudInit();
  t = await openSandbox();
  const ssm = new SSMClient(t.config);
  await ssm.send(
    new PutParameterCommand({ Name: '/app/dev/db-password', Type: 'SecureString', Value: SECRET }),
  );
  await new SecretsManagerClient(t.config).send(
    new CreateSecretCommand({ Name: 'dev/api', SecretString: API }),
  );
  profile = 'builder-role';
  imdsCalls.length = 0;
  imds = createServer((req, res) => {
    imdsCalls.push(`${req.method} ${req.url}`);
    const token = req.headers['x-aws-ec2-metadata-token'];
    if (req.method === 'PUT' && req.url === '/latest/api/token') return void res.end('imds-token');
    if (token !== 'imds-token') return void res.writeHead(401).end();
    if (req.url === '/latest/meta-data/placement/region') return void res.end(REGION);
    const creds = profile ? t.sandbox.sim.instanceRoleCredentials(INSTANCE, profile) : undefined;
    if (req.url === '/latest/meta-data/iam/security-credentials/' && creds) return void res.end(creds.role);
    if (creds && req.url === `/latest/meta-data/iam/security-credentials/${creds.role}`) {
      const { role: _role, ...body } = creds;
      return void res.end(JSON.stringify({ Code: 'Success', Type: 'AWS-HMAC', ...body }));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => imds.listen(0, '127.0.0.1', resolve));
  imdsUrl = `http://127.0.0.1:${(imds.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise((resolve) => imds.close(resolve));
  await t.close();
  await root.close();
});

const REFS: WireReference[] = [
  { name: 'DB_PASSWORD', source: 'ssm', id: '/app/dev/db-password' },
  { name: 'API_TOKEN', source: 'secretsmanager', id: 'dev/api', key: 'token' },
];
const SCRIPT = [
  '#!/bin/sh',
  'echo "DB_PASSWORD set=${DB_PASSWORD:+yes} length=${#DB_PASSWORD}"',
  'echo "API_TOKEN length=${#API_TOKEN} MODE=$APP_MODE"',
  'echo "careless: $DB_PASSWORD and $API_TOKEN"',
].join('\n');

function run(shell: string, refs: WireReference[] = REFS) {
  const wrapper = wrapperText(
    buildScriptWrapper({
      bakeId: BAKE,
      nonce: NONCE,
      cloudInitClean: false,
      script: SCRIPT,
      env: { APP_MODE: 'dev' },
      refs,
    }),
  );
  expect(wrapper).not.toContain(SECRET);
  return root.run(wrapper, {
    shell,
    env: {
      QX_IMDS: imdsUrl,
      AWS_ENDPOINT_URL_SSM: t.sandbox.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: t.sandbox.url,
    },
  });
}

describe.each(['/bin/sh', '/bin/bash'])('references under %s', (shell) => {
  test('resolves an SSM SecureString and a Secrets Manager JSON key with the instance profile; the console shows neither', async () => {
    expect(await run(shell)).toBe(0);
    const text = await root.read('dev', 'ttyS0');
    expect(text).toContain(beginMarker(NONCE));
    expect(text).toContain(`DB_PASSWORD set=yes length=${SECRET.length}\n`);
    expect(text).toContain('API_TOKEN length=10 MODE=dev\n');
    expect(text).toContain('careless: **** and ****\n');
    expect(text).toContain(doneMarker(NONCE, 0, 0));
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('tok-123456');
    // IMDSv2: a token before anything else.
    expect(imdsCalls[0]).toBe('PUT /latest/api/token');
    // Signed with the role's session (verified by the Sandbox), not the sandbox user's keys.
    const reads = t.sandbox.sim
      .calls()
      .filter((c) => c.action === 'GetParameters' || c.action === 'GetSecretValue');
    expect(reads.map((c) => [c.action, c.status])).toEqual([
      ['GetParameters', 200],
      ['GetSecretValue', 200],
    ]);
    // Nothing of it is left on the disk.
    const grep = spawnSync('grep', ['-rlF', SECRET, root.dir]);
    expect([grep.status, grep.stdout.toString()]).toEqual([1, '']);
  });
});

test('a Sandbox target: the endpoint in the head reaches the resolver only, never the script', async () => {
  const script = '#!/bin/sh\necho "len=${#DB_PASSWORD} endpoint=[${AWS_ENDPOINT_URL_SSM:-}]"\n';
  const wrapper = wrapperText(
    buildScriptWrapper({
      bakeId: BAKE,
      nonce: NONCE,
      cloudInitClean: false,
      script,
      env: {},
      refs: [REFS[0]!],
      awsEndpoint: t.sandbox.url,
    }),
  );
  expect(await root.run(wrapper, { env: { QX_IMDS: imdsUrl } })).toBe(0);
  expect(await root.read('dev', 'ttyS0')).toContain(`len=${SECRET.length} endpoint=[]\n`);
  // Without a Sandbox endpoint the head has no such line (a bake on AWS).
  const onAws = buildScriptWrapper({
    bakeId: BAKE,
    nonce: NONCE,
    cloudInitClean: false,
    script,
    env: {},
    refs: REFS,
  });
  expect(onAws.head).not.toContain('QX_AWS_ENDPOINT');
});

describe('failures name what is missing and the script never runs', () => {
  const unresolved = async () => {
    const lines = (await root.read('dev', 'ttyS0')).split('\n');
    expect(lines).toContain(doneMarker(NONCE, UNRESOLVED_EXIT_CODE, 0));
    expect(lines.join('\n')).not.toContain('set=yes');
    const marker = lines.map((l) => parseMarker(l, NONCE)).find((m) => m?.kind === 'unresolved');
    return marker;
  };

  test('a role that may not read the parameter: denied, naming ssm:GetParameters and the parameter', async () => {
    t.sandbox.sim.putRole('narrow-role', {
      OnlyProd: {
        Statement: {
          Effect: 'Allow',
          Action: 'ssm:GetParameters',
          Resource: 'arn:aws:ssm:*:*:parameter/app/prod/*',
        },
      },
    });
    profile = 'narrow-role';
    expect(await run('/bin/sh')).toBe(UNRESOLVED_EXIT_CODE);
    const marker = await unresolved();
    expect(marker).toMatchObject({ kind: 'unresolved', name: 'DB_PASSWORD', reason: 'denied' });
    expect(marker && 'message' in marker ? marker.message : '').toMatch(
      /not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:eu-west-1:\d{12}:parameter\/app\/dev\/db-password/,
    );
  });

  test('no instance profile: no-profile', async () => {
    profile = undefined;
    expect(await run('/bin/sh')).toBe(UNRESOLVED_EXIT_CODE);
    expect(await unresolved()).toMatchObject({ name: 'DB_PASSWORD', reason: 'no-profile' });
  });

  test('a parameter that does not exist: not-found', async () => {
    expect(await run('/bin/sh', [{ name: 'MISSING', source: 'ssm', id: '/app/dev/nothing' }])).toBe(
      UNRESOLVED_EXIT_CODE,
    );
    expect(await unresolved()).toMatchObject({ name: 'MISSING', reason: 'not-found' });
  });

  test('a wrongly signed request is refused by the Sandbox as AWS refuses it', async () => {
    // The same helper with the secret key spoiled after it was handed out.
    const spoiled = RESOLVER_PY.replace(
      '        def call(',
      '        creds["SecretAccessKey"] = creds["SecretAccessKey"][::-1]\n\n        def call(',
    );
    expect(spoiled).not.toBe(RESOLVER_PY);
    await writeFile(root.path('resolver.py'), spoiled);
    await writeFile(root.path('refs'), 'DB_PASSWORD\tssm\t/app/dev/db-password');
    const out = await new Promise<string>((resolve) => {
      const child = spawn('python3', [root.path('resolver.py'), root.path('refs')], {
        env: { PATH: '/usr/bin:/bin', QX_IMDS: imdsUrl, AWS_ENDPOINT_URL_SSM: t.sandbox.url },
      });
      let text = '';
      child.stdout.on('data', (c: Buffer) => (text += c.toString()));
      child.on('exit', () => resolve(text));
    });
    expect(out).toMatch(
      /^!DB_PASSWORD error: InvalidSignatureException: The request signature we calculated does not match/,
    );
  });
});

describe('the helper’s SigV4', () => {
  test('derives the key and signs as AWS’s own test vector says', () => {
    // AWS's signing-key example (IAM docs) and the get-vanilla case of the SigV4 test suite.
    const out = execFileSync('python3', [
      '-c',
      `${RESOLVER_PY.split('\nclass Unresolved')[0]}
import hashlib
print(sign("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "service", "AWS4-HMAC-SHA256\\n20150830T123600Z\\n20150830/us-east-1/service/aws4_request\\n" + hashlib.sha256(b"GET\\n/\\n\\nhost:example.amazonaws.com\\nx-amz-date:20150830T123600Z\\n\\nhost;x-amz-date\\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855").hexdigest()))
h = signed("GET", "https://example.amazonaws.com/", {}, b"", {"AccessKeyId": "AKIDEXAMPLE", "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}, "us-east-1", "service", "20150830T123600Z")
print(h["authorization"])
`,
    ]).toString();
    const [signature, authorization] = out.trim().split('\n');
    expect(signature).toBe('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
    expect(authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });
});

describe('without python3: the AWS CLI', () => {
  /** A PATH with the tools the wrapper uses and a stand-in `aws`, but no python3. */
  async function pathWithoutPython(aws: string): Promise<string> {
    const dir = root.path('nopy');
    await mkdir(dir);
    for (const tool of [
      'sh',
      'bash',
      'cat',
      'rm',
      'mkdir',
      'chmod',
      'tr',
      'base64',
      'awk',
      'tee',
      'mkfifo',
      'sleep',
      'grep',
      'cut',
      'tail',
      'sync',
      'sed',
      'ls',
      'dirname',
    ])
      await symlink(
        execFileSync('sh', ['-c', `command -v ${tool}`])
          .toString()
          .trim(),
        join(dir, tool),
      );
    for (const stub of ['poweroff', 'systemctl', 'cloud-init'])
      await symlink(root.path('bin', stub), join(dir, stub)).catch(() => undefined);
    await writeFile(join(dir, 'aws'), `#!/bin/sh\n${aws}\n`, { mode: 0o755 });
    return dir;
  }

  test('resolves through `aws ssm get-parameter --with-decryption`, masked like the helper', async () => {
    const dir = await pathWithoutPython(
      `case "$*" in *"get-parameter --name /app/dev/db-password --with-decryption"*) printf '%s\\n' '${SECRET}' ;; *) echo "unexpected: $*" >&2; exit 2 ;; esac`,
    );
    const wrapper = wrapperText(
      buildScriptWrapper({
        bakeId: BAKE,
        nonce: NONCE,
        cloudInitClean: false,
        script: SCRIPT,
        env: { APP_MODE: 'dev' },
        refs: [REFS[0]!],
      }),
    );
    expect(await root.run(wrapper, { env: { PATH: dir } })).toBe(0);
    const text = await root.read('dev', 'ttyS0');
    expect(text).toContain(`DB_PASSWORD set=yes length=${SECRET.length}`);
    expect(text).toContain('careless: **** and \n');
    expect(text).not.toContain(SECRET);
  });

  test('a denial from the CLI names the variable and keeps AWS’s words', async () => {
    const dir = await pathWithoutPython(
      `echo "An error occurred (AccessDeniedException) when calling the GetParameter operation: not authorized to perform: ssm:GetParameter" >&2; exit 254`,
    );
    const wrapper = wrapperText(
      buildScriptWrapper({
        bakeId: BAKE,
        nonce: NONCE,
        cloudInitClean: false,
        script: SCRIPT,
        env: {},
        refs: [REFS[0]!],
      }),
    );
    expect(await root.run(wrapper, { env: { PATH: dir } })).toBe(UNRESOLVED_EXIT_CODE);
    const marker = (await root.read('dev', 'ttyS0'))
      .split('\n')
      .map((l) => parseMarker(l, NONCE))
      .find((m) => m?.kind === 'unresolved');
    expect(marker).toMatchObject({ name: 'DB_PASSWORD', reason: 'denied' });
  });

  test('neither python3 nor the AWS CLI: no-helper, saying what to install', async () => {
    const dir = await pathWithoutPython('exit 0');
    await rm(join(dir, 'aws'));
    const wrapper = wrapperText(
      buildScriptWrapper({
        bakeId: BAKE,
        nonce: NONCE,
        cloudInitClean: false,
        script: SCRIPT,
        env: {},
        refs: [REFS[0]!],
      }),
    );
    expect(await root.run(wrapper, { env: { PATH: dir } })).toBe(UNRESOLVED_EXIT_CODE);
    const marker = (await root.read('dev', 'ttyS0'))
      .split('\n')
      .map((l) => parseMarker(l, NONCE))
      .find((m) => m?.kind === 'unresolved');
    expect(marker).toMatchObject({
      name: 'DB_PASSWORD',
      reason: 'no-helper',
      message: expect.stringContaining('neither python3 nor the AWS CLI'),
    });
  });
});
