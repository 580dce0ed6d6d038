import { EC2Client } from '@aws-sdk/client-ec2';
import { VirtualClock } from '../../../src/main/services/clock';
import { wrapperHeader } from '../../../src/protocol/user-data';
import {
  sandboxClientConfig,
  startSandbox,
  type SandboxClientConfig,
  type SandboxHandle,
  type SandboxOptions,
} from '../../../src/sandbox';

export const REGION = 'eu-west-1';

export interface TestSandbox {
  sandbox: SandboxHandle;
  clock: VirtualClock;
  ec2: EC2Client;
  /** For other clients (STS, SSM): this sandbox, this region, the clock tracked, one attempt. */
  config: SandboxClientConfig & { maxAttempts: number };
  close(): Promise<void>;
}

/**
 * A sandbox on a VirtualClock (time moves only when a test says so) with SDK clients that make exactly
 * one attempt, so each error reaches the test as the sandbox sent it.
 */
export async function openSandbox(options: SandboxOptions = {}): Promise<TestSandbox> {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const sandbox = await startSandbox({ seed: 'unit', clock, throttling: false, ...options });
  const config = { ...sandboxClientConfig(sandbox, { region: REGION, clock }), maxAttempts: 1 };
  const ec2 = new EC2Client(config);
  return {
    sandbox,
    clock,
    ec2,
    config,
    async close() {
      ec2.destroy();
      await sandbox.close();
    },
  };
}

/** A user script wrapped the way the bake engine wraps it (script mode), as base64 user data. */
export function wrappedUserData(
  script: string,
  opts: { nonce?: string; env?: Record<string, string>; version?: number } = {},
): string {
  const env = Object.entries(opts.env ?? {})
    .map(([k, v]) => `${k}=${Buffer.from(v).toString('base64')}`)
    .join('\n');
  const text = [
    wrapperHeader({
      bakeId: 'bake-1',
      nonce: opts.nonce ?? 'abc123',
      mode: 'script',
      ...(opts.version !== undefined ? { version: opts.version } : {}),
    }),
    `QX_SCRIPT_B64='${Buffer.from(script).toString('base64')}'`,
    `QX_ENV_B64='${Buffer.from(env).toString('base64')}'`,
    'echo "[quadraxis:$QX_NONCE] begin"',
  ].join('\n');
  return Buffer.from(text).toString('base64');
}

/** Asserts a promise rejects with an AWS error of this code (the SDK's parse of the sandbox's envelope). */
export async function errorOf(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

export function decodeConsole(output: string | undefined): string {
  return Buffer.from(output ?? '', 'base64').toString('utf8');
}

/** Calls the sandbox's front door in-process, signed for `region` (fast, for tests that need many calls). */
export function rawCall(sandbox: SandboxHandle, params: Record<string, string>, region = REGION) {
  return sandbox.sim.handle({
    method: 'POST',
    url: '/',
    headers: {
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: Buffer.from(new URLSearchParams({ Version: '2016-11-15', ...params }).toString()),
  });
}
