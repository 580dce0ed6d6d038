import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI_BIN, requireBuild } from '../helpers/paths';

const run = promisify(execFile);
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  requireBuild();
  dir = await mkdtemp(join(tmpdir(), 'qx-built-serve-'));
  await writeFile(join(dir, 'aws'), '');
  env = {
    ...process.env,
    AWS_CONFIG_FILE: join(dir, 'aws'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws'),
    QUADRAXIS_DATA_DIR: join(dir, 'data'),
    QUADRAXIS_POLL_MS: '100',
  };
  await writeFile(
    join(dir, 'web.yaml'),
    [
      'name: web',
      'region: eu-west-1',
      'baseImage: { kind: ssm, parameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64 }',
      'initScript: "#!/bin/sh\\necho hello\\n"',
      '',
    ].join('\n'),
  );
  await run(process.execPath, [CLI_BIN, 'projects', 'import', join(dir, 'web.yaml')], { env });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface StatusView {
  status: string;
  steps: { step: string; status: string }[];
}

it('`quadraxis serve` takes a trigger from curl-like fetch, bakes against the sandbox, and cleans up on SIGTERM', async () => {
  const { stdout } = await run(
    process.execPath,
    [CLI_BIN, 'triggers', 'web', '--json', '--profile', 'sandbox'],
    { env },
  );
  const { token } = JSON.parse(stdout) as { token: string };

  const child = spawn(process.execPath, [CLI_BIN, 'serve', '--port', '0'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  try {
    const [first] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const url = /^webhook server listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first)?.[1];
    expect(url, stderr).toBeDefined();

    const response = await fetch(`${url}/hooks/web`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(202);
    const { bakeId, statusUrl } = (await response.json()) as { bakeId: string; statusUrl: string };
    expect(statusUrl).toBe(`${url}/bakes/${bakeId}`);

    // What a CI script does: poll the status URL until the builder is up.
    let view: StatusView | undefined;
    for (let i = 0; i < 200; i++) {
      view = (await (
        await fetch(statusUrl, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as StatusView;
      if (view.steps.find((s) => s.step === 'wait-running')?.status === 'done') break;
      await delay(100);
    }
    expect(view?.status).toBe('running');
    expect(view?.steps.find((s) => s.step === 'launch')?.status).toBe('done');
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = (await exited) as [number | null];
  expect(code, stderr).toBe(0);
  // Shutting down cancelled the bake and terminated its builder: nothing is left running.
  const bakes = JSON.parse((await run(process.execPath, [CLI_BIN, 'bakes', '--json'], { env })).stdout) as {
    status: string;
    trigger: string;
    cleanedUp: string[];
  }[];
  expect(bakes).toHaveLength(1);
  expect(bakes[0]).toMatchObject({ status: 'cancelled', trigger: 'webhook' });
  expect(bakes[0]?.cleanedUp.join(' ')).toMatch(/terminated i-/);
});
