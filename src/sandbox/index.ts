import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from './clock';
import { SimulatorCore } from './core';
import { IdGenerator } from './ids';
import { listen } from './server';
import { Simulator } from './simulator';
import { DEFAULT_TIMINGS, type SandboxTimings } from './timings';
import { iamRoutes } from './vm/imds/iam-routes';
import { VmHost } from './vm/vm-host';
import type { VmOptions } from './vm/options';

export interface SandboxOptions {
  /** Default 0: a free port. The sandbox always binds 127.0.0.1. */
  port?: number;
  /** Makes ids (i-…, ami-…, snap-…, vol-…, r-…, request ids) deterministic; default random. */
  seed?: string | number;
  /** Default systemClock; tests pass a VirtualClock. */
  clock?: Clock;
  timings?: Partial<SandboxTimings>;
  /** EC2's request token buckets (default on). */
  throttling?: boolean;
  /** Guards the /_sandbox/ control API (header x-sandbox-token); default random. */
  controlToken?: string;
  accountId?: string;
  /**
   * Real-VM mode: the image becomes an AMI owned by the Sandbox's account (`debian-12-local-<hash>` for
   * `npm run vm:image`'s), and its instances are QEMU virtual machines that really run their user data.
   * Needs real time (the system clock).
   */
  vm?: VmOptions;
  /** Where the Sandbox says what it does on its own (VM boots, accelerator choice); default nowhere. */
  log?: (line: string) => void;
}

export interface SandboxHandle {
  /** http://127.0.0.1:<port> — the endpoint for EC2, STS, SSM and Auto Scaling alike. */
  url: string;
  port: number;
  controlToken: string;
  /** In-process access for tests: state, scenario, faults, call log. */
  sim: Simulator;
  close(): Promise<void>;
}

/** Starts the offline EC2 simulator the real AWS SDK clients talk to through their `endpoint` setting. */
export async function startSandbox(options: SandboxOptions = {}): Promise<SandboxHandle> {
  const accountId = options.accountId ?? '123456789012';
  if (!/^\d{12}$/.test(accountId)) throw new Error(`accountId must be 12 digits, got ${accountId}`);
  const clock = options.clock ?? systemClock;
  // The VM host starts before the core it serves: its IAM metadata routes reach the core once it exists.
  const late: { core?: SimulatorCore } = {};
  const vm = options.vm
    ? await VmHost.start(options.vm, {
        now: () => clock.now(),
        ...(options.log ? { log: options.log } : {}),
        extraRoutes: iamRoutes((source) => late.core?.instanceRoleSession(source)),
      })
    : undefined;
  const core = new SimulatorCore(
    clock,
    options.seed === undefined ? IdGenerator.randomSeed() : String(options.seed),
    { ...DEFAULT_TIMINGS, ...options.timings },
    options.throttling ?? true,
    accountId,
    vm,
  );
  late.core = core;
  const sim = new Simulator(core);
  const controlToken = options.controlToken ?? randomBytes(24).toString('base64url');
  const server = await listen(sim, controlToken, options.port ?? 0).catch(async (error: unknown) => {
    await vm?.close();
    throw error;
  });
  if (vm) vm.awsPort = server.port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port,
    controlToken,
    sim,
    close: () =>
      (closing ??= (async () => {
        await server.close();
        await vm?.close();
      })()),
  };
}

export {
  SANDBOX_CREDENTIALS,
  clockTrackingExtension,
  sandboxClientConfig,
  trackClientWithClock,
} from './client-config';
export type { SandboxClientConfig } from './client-config';
export { CONTROL_TOKEN_HEADER } from './control';
export type { CallRecord } from './core';
export type { FaultSpec, FaultKind, LaunchTimeline, Scenario, ScriptOutcome, ImageOutcome } from './scenario';
export { FAULT_KINDS } from './scenario';
export type { KmsKeyView, ParameterView, Simulator, ResourceQuery } from './simulator';
export { DEFAULT_TIMINGS, type SandboxTimings } from './timings';
export type { ImageView, InstanceView, SnapshotView, VolumeView } from './views';
export {
  BAKE_DISTRIBUTIONS,
  FAMILIES,
  TIMELINE_FAMILIES,
  childSeed,
  drawTimelines,
  launchTimeline,
  progressAt,
  reportedProgress,
  seededRandom,
  type BakeTimeline,
  type Distribution,
  type FamilySpec,
  type ProgressCurve,
  type Random,
  type TimelineFamily,
} from './timing';
export { DEBIAN_MIRROR, VmOptionsSchema, type MirrorHosts, type VmOptions } from './vm/options';
export type { VmStatus } from './vm/vm-host';
export { inspectVmSupport, type VmSupport } from './vm/support';
export type { AutoScalingGroupView, GroupInstanceView, InstanceRefreshView } from './autoscaling/views';
