import { InvalidArgumentError } from 'commander';
import {
  CONTROL_TOKEN_HEADER,
  SANDBOX_CREDENTIALS,
  startSandbox,
  VmOptionsSchema,
  type SandboxHandle,
  type VmOptions,
} from '../../sandbox';
import { AppError } from '../../shared/result';
import { parsePort } from '../parse-port';
import type { CliIO } from '../program';
import { untilSignal } from '../until-signal';
import type { RegisterCommand } from './index';

export interface SandboxCliOptions {
  port: number;
  seed?: string;
  vm?: string;
  vmKernelArgs?: string;
  vmMirror?: boolean;
  vmMax?: number;
  vmQemu?: string;
}

function parseVmCount(value: string): number {
  const count = Number(value);
  if (!/^\d{1,2}$/.test(value) || count < 1 || count > 64)
    throw new InvalidArgumentError('a number of VMs from 1 to 64');
  return count;
}

export const registerSandbox: RegisterCommand = (program, io) => {
  program
    .command('sandbox')
    .description('run the offline EC2 simulator (EC2, STS and SSM on one loopback port) until Ctrl-C')
    .option('--port <port>', 'port to listen on; 0 picks a free one', parsePort, 0)
    .option('--seed <seed>', 'seed for deterministic ids (default: random)')
    .option(
      '--vm <image>',
      'real-VM mode: an image directory from `npm run vm:image`, or a cloud disk image (.qcow2/.raw); its AMI launches QEMU VMs',
    )
    .option(
      '--vm-kernel-args <args>',
      'kernel command line for the VM image (e.g. "root=/dev/vda rw console=ttyS0,115200n8 console=tty0")',
    )
    .option('--vm-mirror', "let guests reach Debian's package mirror (only it) through the Sandbox's proxy")
    .option(
      '--vm-max <count>',
      'VMs running at once; further launches wait in pending (default 2)',
      parseVmCount,
    )
    .option('--vm-qemu <binary>', 'the QEMU system emulator (default: qemu-system-x86_64 on PATH)')
    .action(async (opts: SandboxCliOptions) => {
      await runSandbox(opts, io, untilSignal(['SIGINT', 'SIGTERM']));
    });
};

/** The --vm* flags as the Sandbox's VM options, validated by the Sandbox's own schema. */
export function vmOptionsFrom(opts: SandboxCliOptions): VmOptions | undefined {
  if (opts.vm === undefined) {
    if (opts.vmKernelArgs !== undefined || opts.vmMirror || opts.vmMax !== undefined || opts.vmQemu)
      throw new AppError(
        'INVALID_INPUT',
        '--vm-kernel-args, --vm-mirror, --vm-max and --vm-qemu need --vm <image>',
      );
    return undefined;
  }
  const parsed = VmOptionsSchema.safeParse({
    image: opts.vm,
    ...(opts.vmKernelArgs !== undefined ? { kernelArgs: opts.vmKernelArgs } : {}),
    ...(opts.vmMirror ? { mirror: true } : {}),
    ...(opts.vmMax !== undefined ? { maxVms: opts.vmMax } : {}),
    ...(opts.vmQemu !== undefined ? { qemu: opts.vmQemu } : {}),
  });
  if (!parsed.success) {
    throw new AppError(
      'INVALID_INPUT',
      parsed.error.issues.map((i) => `--vm ${i.path.map(String).join('.')}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}

/**
 * Runs the sandbox until `stop` settles. Prints exactly one line on stdout (scripts wait for it), and on
 * stderr how to point the AWS CLI/SDK at it and the control token.
 */
export async function runSandbox(opts: SandboxCliOptions, io: CliIO, stop: Promise<unknown>): Promise<void> {
  const vm = vmOptionsFrom(opts);
  const sandbox = await startSandbox({
    port: opts.port,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(vm ? { vm, log: (line: string) => io.stderr(`${line}\n`) } : {}),
  }).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new AppError('UNAVAILABLE', `cannot listen on 127.0.0.1:${opts.port} (${code})`);
    }
    if (vm) {
      throw new AppError(
        'INVALID_INPUT',
        `cannot start the VM mode: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    throw error;
  });
  io.stdout(`sandbox listening on ${sandbox.url}\n`);
  io.stderr(
    [
      'Simulated EC2, STS and SSM — nothing here touches AWS. Point a client at it with:',
      `  export AWS_ENDPOINT_URL_EC2=${sandbox.url} AWS_ENDPOINT_URL_STS=${sandbox.url} AWS_ENDPOINT_URL_SSM=${sandbox.url}`,
      `  export AWS_ACCESS_KEY_ID=${SANDBOX_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${SANDBOX_CREDENTIALS.secretAccessKey} AWS_REGION=us-east-1`,
      `Control API: ${sandbox.url}/_sandbox/state with header ${CONTROL_TOKEN_HEADER}: ${sandbox.controlToken}`,
      ...vmBanner(sandbox),
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  try {
    await stop;
  } finally {
    await sandbox.close();
  }
}

function vmBanner(sandbox: SandboxHandle): string[] {
  const vm = sandbox.sim.vm();
  if (!vm) return [];
  const accel = vm.accel.kind === 'kvm' ? 'KVM' : 'TCG (software emulation: ~40 s per boot)';
  return [
    `VM mode: AMI ${vm.image.name} (owner self) boots real VMs with ${accel}, at most ${vm.maxVms} at once;`,
    `  guests reach ${vm.mirror.length ? `instance metadata and ${vm.mirror.join(', ')}` : 'instance metadata only'}.`,
    ...vm.accelNotes.map((note) => `  ${note}`),
  ];
}
