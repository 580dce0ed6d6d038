import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, inject, test } from 'vitest';
import { CONTROL_TOKEN_HEADER, type VmStatus } from '../../src/sandbox';
import { ProjectSchema } from '../../src/shared/project';
import { sandboxRuntime } from '../helpers/sandbox-runtime';

const BIN = resolve(__dirname, '..', '..', 'bin', 'quadraxis.cjs');

/**
 * `quadraxis sandbox --vm` killed with SIGKILL in the middle of a bake: it cannot clean up, so its
 * watchdog must — no QEMU process and no instance file may survive it.
 */
test('killing the Sandbox with SIGKILL during a VM bake leaves no QEMU process and no file', async () => {
  const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', '--vm', inject('vmImage')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  let stderr = '';
  // The banner (control token included) follows the URL line, on the other stream.
  const banner = new Promise<void>((resolve) =>
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.includes('Press Ctrl-C to stop.')) resolve();
    }),
  );
  const dataDir = await mkdtemp(join(tmpdir(), 'qx-vm-kill-'));
  try {
    const [first] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const url = /^sandbox listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first)?.[1];
    expect(url, stderr).toBeDefined();
    await banner;
    const controlToken = new RegExp(`${CONTROL_TOKEN_HEADER}: (\\S+)`).exec(stderr)?.[1];
    expect(controlToken).toBeDefined();
    const vmStatus = async (): Promise<VmStatus> => {
      const res = await fetch(`${url}/_sandbox/vm`, { headers: { [CONTROL_TOKEN_HEADER]: controlToken! } });
      return (await res.json()) as VmStatus;
    };

    const runtime = sandboxRuntime(dataDir, { actor: 'kill test', seed: 'vm-kill', sandboxUrl: url! });
    try {
      const started = await runtime.engine.start({
        project: ProjectSchema.parse({
          name: 'vm-killed',
          baseImage: {
            kind: 'latest',
            owners: ['self'],
            namePattern: 'debian-12-local-*',
            architecture: 'x86_64',
          },
          instanceType: 't3.micro',
          initScript: '#!/bin/sh\nsleep 600\n',
        }),
        profile: 'sandbox',
        region: 'us-east-1',
        endpoint: url!,
        trigger: 'cli',
      });
      // The builder's QEMU is up (the bake launched it; no need to wait for the guest's boot).
      let status = await vmStatus();
      const deadline = Date.now() + 5 * 60_000;
      while (!status.instances.some((i) => i.pid !== undefined)) {
        if (Date.now() > deadline) throw new Error(`no VM started: ${JSON.stringify(status)}`);
        await new Promise((r) => setTimeout(r, 1_000));
        status = await vmStatus();
      }
      const pid = status.instances.find((i) => i.pid !== undefined)!.pid!;
      expect(alive(pid)).toBe(true);
      expect(existsSync(status.workDir)).toBe(true);
      expect(status.files.length).toBeGreaterThan(0);

      child.kill('SIGKILL');
      await exited;
      // The watchdog notices its pipe close at once; give it a moment to kill and remove.
      await until(() => !alive(pid) && !existsSync(status.workDir), 30_000);
      expect(alive(pid)).toBe(false);
      expect(existsSync(status.workDir)).toBe(false);
      for (const file of status.files) expect(existsSync(file)).toBe(false);
      await runtime.engine.cancel(started.id).catch(() => undefined);
    } finally {
      await runtime.close();
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
});

/** Running, and not a zombie waiting for a parent that is gone. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** A process's end and a directory's removal have no event to wait on from here: look until they happen. */
async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
}
