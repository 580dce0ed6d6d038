import {
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeInstancesCommand,
  EC2Client,
  GetConsoleOutputCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject } from 'vitest';
import type { Runtime } from '../../src/main/runtime/runtime';
import { sandboxClientConfig, type SandboxHandle, type VmOptions } from '../../src/sandbox';
import type { BakeRecord } from '../../src/shared/bake';
import { ProjectSchema, type ProjectInput } from '../../src/shared/project';
import { sandboxRuntime } from '../helpers/sandbox-runtime';

export const REGION = 'us-east-1';

/** The engine, the SDK and a Sandbox in VM mode, as `quadraxis bake --profile sandbox` would run them. */
export interface VmWorld {
  runtime: Runtime;
  sandbox: SandboxHandle;
  ec2: EC2Client;
  close(): Promise<void>;
}

export async function vmWorld(seed: string, vm: Partial<VmOptions> = {}): Promise<VmWorld> {
  const dataDir = await mkdtemp(join(tmpdir(), 'qx-vm-test-'));
  const runtime = sandboxRuntime(dataDir, {
    actor: 'real-VM tests',
    seed,
    sandbox: { vm: { image: inject('vmImage'), ...vm } },
  });
  await runtime.sandbox.ensure();
  const sandbox = runtime.sandbox.running!;
  const ec2 = new EC2Client({ ...sandboxClientConfig(sandbox, { region: REGION }), maxAttempts: 2 });
  return {
    runtime,
    sandbox,
    ec2,
    close: async () => {
      ec2.destroy();
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A unique word to plant in what the builder gets (script, env) and look for in the baked image. */
export function token(kind: string): string {
  return `qx-${kind}-${randomBytes(6).toString('hex')}`;
}

/** Bakes `project` on the VM image through the real engine and waits for the bake's end. */
export async function bake(
  world: VmWorld,
  project: Partial<ProjectInput> & Pick<ProjectInput, 'name' | 'initScript'>,
  timeoutMinutes = 20,
): Promise<BakeRecord> {
  const parsed = ProjectSchema.parse({
    baseImage: { kind: 'latest', owners: ['self'], namePattern: 'debian-12-local-*', architecture: 'x86_64' },
    instanceType: 't3.micro',
    completion: { mode: 'wrapper', timeoutMinutes, cloudInitClean: true },
    ...project,
  });
  const started = await world.runtime.engine.start({
    project: parsed,
    profile: 'sandbox',
    region: REGION,
    trigger: 'cli',
  });
  return world.runtime.engine.waitForFinal(started.id);
}

/** Why a bake failed, with the console lines that show it: what an assertion on its status should say. */
export function failureText(record: BakeRecord): string {
  if (!record.error) return record.status;
  return [record.error.message, ...(record.error.consoleTail ?? [])].join('\n');
}

/** The builder's nonce (from its user data, as the Sandbox read it): it must not survive in the image. */
export function nonceOf(world: VmWorld, instanceId: string): string {
  const nonce = world.sandbox.sim.instances().find((i) => i.instanceId === instanceId)?.script.nonce;
  if (!nonce) throw new Error(`no wrapped user data on ${instanceId}`);
  return nonce;
}

/**
 * A relaunch's user data: prints `QXR <key> <value>` lines (between begin and end lines) on the serial port,
 * then powers off. `tokens` are looked for in cloud-init's state, Quadraxis' work directory and the logs;
 * they travel base64-encoded, so this script itself (which cloud-init keeps) does not contain them. What is
 * left of the `builder`'s own boot is reported too: its instance directory and the logs that name it.
 */
export function probeScript(options: {
  builder: string;
  stat?: string[];
  files?: string[];
  tokens?: string[];
  extra?: string[];
}): string {
  const tokens = Buffer.from((options.tokens ?? []).join('\n'), 'utf8').toString('base64');
  return [
    '#!/bin/sh',
    'out=/dev/ttyS0',
    'say() { printf "QXR %s\\n" "$*" > "$out"; }',
    'say begin',
    'say instance-id "$(cat /var/lib/cloud/data/instance-id)"',
    'say instances "$(ls /var/lib/cloud/instances | tr "\\n" " ")"',
    'say umask "$(umask)"',
    '[ -e /var/lib/quadraxis ] && say exists /var/lib/quadraxis',
    `say builder-dir "$(ls -A /var/lib/cloud/instances/${options.builder} 2> /dev/null | tr "\\n" " ")"`,
    `say builder-logs "$(grep -lsF ${options.builder} /var/log/cloud-init.log /var/log/cloud-init-output.log | tr "\\n" " ")"`,
    ...(options.stat ?? []).map((path) => `say stat "$(stat -c '%n %a %U:%G' ${path} 2>&1)"`),
    ...(options.files ?? []).map((path) => `say file ${path} "$(base64 -w0 < ${path} 2>/dev/null)"`),
    `printf '%s' '${tokens}' | base64 -d | while IFS= read -r t; do`,
    '  [ -n "$t" ] || continue',
    '  grep -rlF -- "$t" /var/lib/cloud /var/lib/quadraxis /var/log 2>/dev/null | while read -r f; do say leak "$f"; done',
    'done',
    ...(options.extra ?? []),
    'say end',
    'poweroff',
    '',
  ].join('\n');
}

export interface ProbeReport {
  instanceId: string;
  /** `QXR <key> <value>` lines, in order. */
  lines: { key: string; value: string }[];
  values(key: string): string[];
  value(key: string): string | undefined;
  /** `stat` lines by path: mode and owner. */
  stat(path: string): string | undefined;
  file(path: string): string | undefined;
  console: string;
}

/** Launches `imageId` with `probe` as user data, waits until it has powered itself off, reads its report. */
export async function relaunch(world: VmWorld, imageId: string, probe: string): Promise<ProbeReport> {
  const run = await world.ec2.send(
    new RunInstancesCommand({
      ImageId: imageId,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      UserData: Buffer.from(probe, 'utf8').toString('base64'),
    }),
  );
  const instanceId = run.Instances![0]!.InstanceId!;
  try {
    const stopped = await waitForState(world, instanceId, ['stopped', 'terminated'], 30 * 60_000);
    expect(stopped.StateReason?.Code).toBe('Client.InstanceInitiatedShutdown');
    const out = await world.ec2.send(new GetConsoleOutputCommand({ InstanceId: instanceId, Latest: true }));
    const console = Buffer.from(out.Output ?? '', 'base64')
      .toString('utf8')
      .replace(/\r/g, '');
    const lines = console
      .split('\n')
      .map((line) => /QXR (\S+) ?(.*)$/.exec(line))
      .filter((m) => m !== null)
      .map((m) => ({ key: m[1]!, value: m[2]!.trim() }));
    expect(lines.map((l) => l.key)).toContain('end');
    const values = (key: string) => lines.filter((l) => l.key === key).map((l) => l.value);
    return {
      instanceId,
      lines,
      values,
      value: (key) => values(key)[0],
      stat: (path) => values('stat').find((v) => v.startsWith(`${path} `)),
      file: (path) => {
        const line = values('file').find((v) => v.startsWith(`${path} `) || v === path);
        return line === undefined
          ? undefined
          : Buffer.from(line.slice(path.length + 1), 'base64').toString('utf8');
      },
      console,
    };
  } finally {
    await world.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    await waitForState(world, instanceId, ['terminated'], 60_000);
  }
}

/** Polls DescribeInstances (as any EC2 client must) until the instance is in one of `states`. */
export async function waitForState(
  world: VmWorld,
  instanceId: string,
  states: string[],
  timeoutMs: number,
): Promise<Instance> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await world.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const instance = out.Reservations?.[0]?.Instances?.[0];
    if (instance && states.includes(instance.State?.Name ?? '')) return instance;
    if (Date.now() > deadline) {
      throw new Error(`${instanceId} is ${instance?.State?.Name ?? 'missing'}, not ${states.join('/')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

/** Deregisters a bake's image and deletes its snapshots; the Sandbox must then free their disk files. */
export async function dropImage(world: VmWorld, record: BakeRecord): Promise<void> {
  await world.ec2.send(new DeregisterImageCommand({ ImageId: record.imageId! }));
  for (const snapshotId of record.snapshotIds) {
    await world.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
  }
}

/** What a bake must leave when it failed: its builder terminated, no image or snapshot from it, no QEMU, no file. */
export function expectNothingLeftOf(world: VmWorld, record: BakeRecord): void {
  const builder = record.instanceId!;
  const sim = world.sandbox.sim;
  expect(sim.instances().find((i) => i.instanceId === builder)?.state).toBe('terminated');
  expect(sim.images().filter((i) => i.sourceInstanceId === builder)).toEqual([]);
  expect(sim.snapshots().filter((s) => s.description.includes(builder))).toEqual([]);
  const vm = sim.vm()!;
  expect(vm.instances.map((i) => i.instanceId)).not.toContain(builder);
  expect(vm.files.filter((f) => f.includes(builder))).toEqual([]);
  expect(existsSync(join(vm.workDir, builder))).toBe(false);
}

/** What cloud-init keeps of an instance's user data, in the instance's directory under /var/lib/cloud. */
const USER_DATA_COPIES = ['user-data.txt', 'user-data.txt.i', 'cloud-config.txt', 'obj.pkl', 'scripts'];

/**
 * What every relaunched image must show: cloud-init ran as on a new instance (its id and its own directory,
 * so the builder's scripts could not run again), and nothing of the builder's user data, environment or
 * wrapper is left. With `cloudInitClean` (the default) `cloud-init clean --logs` ran too: the builder's
 * instance directory and the logs of its boot are gone. Without it they stay, as the README says, but hold
 * no copy of the user data.
 */
export function expectFreshImage(
  report: ProbeReport,
  builder: string,
  { cloudInitClean = true }: { cloudInitClean?: boolean } = {},
): void {
  expect(report.value('instance-id')).toBe(report.instanceId);
  expect(report.value('instance-id')).not.toBe(builder);
  expect(report.values('exists')).toEqual([]);
  expect(report.values('leak')).toEqual([]);
  expect(report.value('umask')).toBe('0022');
  const instances = (report.value('instances') ?? '').split(' ').filter(Boolean).sort();
  const builderDir = (report.value('builder-dir') ?? '').split(' ').filter(Boolean);
  if (cloudInitClean) {
    expect(instances).toEqual([report.instanceId]);
    expect(builderDir).toEqual([]);
    expect(report.value('builder-logs')).toBe('');
  } else {
    expect(instances).toEqual([builder, report.instanceId].sort());
    expect(builderDir).toContain('boot-finished');
    expect(builderDir.filter((name) => USER_DATA_COPIES.includes(name))).toEqual([]);
    expect(report.value('builder-logs')).toContain('/var/log/cloud-init.log');
  }
}

/** After the image is deregistered, its snapshot deleted and its relaunch terminated, their files are gone. */
export function expectFilesFreed(world: VmWorld, record: BakeRecord): void {
  const files = world.sandbox.sim.vm()!.files;
  expect(files.filter((f) => f.includes(record.instanceId!))).toEqual([]);
  for (const snapshotId of record.snapshotIds)
    expect(files.filter((f) => f.includes(snapshotId))).toEqual([]);
}
