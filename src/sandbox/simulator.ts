import type { CallRecord, SimulatorCore } from './core';
import { stopInstance, terminateInstance } from './ec2/instances';
import type { InstanceRecord } from './ec2/records';
import type { RegionState } from './ec2/region-state';
import {
  FaultSpecSchema,
  LaunchTimelineSchema,
  ScenarioSchema,
  type FaultSpec,
  type LaunchTimeline,
  type Scenario,
} from './scenario';
import type { SandboxTimings } from './timings';
import type { ImdsRequestLog } from './vm/imds/server';
import type { VmStatus } from './vm/vm-host';
import {
  imageView,
  instanceView,
  snapshotView,
  volumeView,
  type ImageView,
  type InstanceView,
  type SnapshotView,
  type VolumeView,
} from './views';
import { handleWire, type WireRequest, type WireResponse } from './wire/dispatch';

export interface ResourceQuery {
  /** Only this region (default: all regions the sandbox has seen calls for). */
  region?: string;
}

/**
 * In-process access to the simulated world, for tests, benchmarks and the control endpoint: read the state
 * (as it is at clock.now()), steer what happens next, and read the call log.
 */
export class Simulator {
  constructor(private readonly core: SimulatorCore) {}

  get timings(): Readonly<SandboxTimings> {
    return this.core.timings;
  }

  get accountId(): string {
    return this.core.accountId;
  }

  /** The VM mode's state (image, accelerator, running QEMU processes, disk files), when it is on. */
  vm(): VmStatus | undefined {
    return this.core.vm?.status();
  }

  /** What a VM instance asked its instance metadata service (method, path, status, token), oldest first. */
  metadataRequests(instanceId: string): ImdsRequestLog[] {
    return [...(this.findInstance(instanceId).vm?.imdsLog ?? [])];
  }

  /** Answers one HTTP request the way AWS would (used by the server; tests may call it directly). */
  handle(request: WireRequest): WireResponse {
    return handleWire(this.core, request);
  }

  instances(query: ResourceQuery = {}): InstanceView[] {
    const now = this.core.clock.now();
    return this.regions(query).flatMap((r) => {
      r.sweep(now, this.core.timings.terminatedVisibleMs);
      return [...r.instances.values()].map((i) => instanceView(i, now));
    });
  }

  /** Images the account made (not the public catalogue), including pending and failed ones. */
  images(query: ResourceQuery = {}): ImageView[] {
    const now = this.core.clock.now();
    return this.regions(query).flatMap((r) =>
      [...r.images.values()].filter((i) => i.ownerId === this.core.accountId).map((i) => imageView(i, now)),
    );
  }

  snapshots(query: ResourceQuery = {}): SnapshotView[] {
    const now = this.core.clock.now();
    return this.regions(query).flatMap((r) => [...r.snapshots.values()].map((s) => snapshotView(s, now)));
  }

  volumes(query: ResourceQuery = {}): VolumeView[] {
    const now = this.core.clock.now();
    return this.regions(query).flatMap((r) => [...r.volumes.values()].map((v) => volumeView(v, r, now)));
  }

  calls(filter: { action?: string; service?: CallRecord['service'] } = {}): CallRecord[] {
    return this.core.calls
      .filter(
        (c) =>
          (!filter.action || c.action === filter.action) && (!filter.service || c.service === filter.service),
      )
      .map((c) => ({ ...c, params: { ...c.params } }));
  }

  scenario(): Scenario {
    return { ...this.core.scenario };
  }

  /** Replaces the scenario for launches (and images) from now on; `{}` lets scripts decide again. */
  setScenario(scenario: Scenario): void {
    this.core.scenario = ScenarioSchema.parse(scenario);
  }

  /** Queues timings and an outcome for exactly one future instance (consumed in launch order). */
  pushTimeline(timeline: LaunchTimeline): void {
    this.core.timelines.push(LaunchTimelineSchema.parse(timeline));
  }

  pendingTimelines(): number {
    return this.core.timelines.length;
  }

  injectFault(spec: FaultSpec): void {
    this.core.faults.inject(FaultSpecSchema.parse(spec));
  }

  faults(): FaultSpec[] {
    return this.core.faults.pending();
  }

  clearFaults(): void {
    this.core.faults.clear();
  }

  /** Whether `DryRun=true` calls of `action` answer DryRunOperation (allowed, the default) or UnauthorizedOperation. */
  setDryRunAllowed(action: string, allowed: boolean): void {
    if (allowed) this.core.dryRunDenied.delete(action);
    else this.core.dryRunDenied.add(action);
  }

  /** Someone else (a colleague, an auto-scaler, a sweeper) stops the instance: the bake must notice. */
  stopBehindBack(instanceId: string): InstanceView {
    const instance = this.findInstance(instanceId);
    stopInstance(instance, this.core.clock.now());
    return instanceView(instance, this.core.clock.now());
  }

  terminateBehindBack(instanceId: string): InstanceView {
    const instance = this.findInstance(instanceId);
    terminateInstance(instance, this.core.clock.now());
    return instanceView(instance, this.core.clock.now());
  }

  /** Forgets every resource, call, fault, scenario and timeline; ids start over from the seed. */
  reset(): void {
    this.core.reset();
  }

  private regions(query: ResourceQuery): RegionState[] {
    if (query.region) return [this.core.region(query.region)];
    return [...this.core.regions.values()];
  }

  private findInstance(instanceId: string): InstanceRecord {
    for (const region of this.core.regions.values()) {
      const instance = region.instances.get(instanceId);
      if (instance) return instance;
    }
    throw new Error(`The sandbox has no instance ${instanceId}`);
  }
}
