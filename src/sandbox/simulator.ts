import { recheckImages } from './autoscaling/simulation';
import {
  groupView,
  refreshView,
  type AutoScalingGroupView,
  type InstanceRefreshView,
} from './autoscaling/views';
import type { CallRecord, SimulatorCore } from './core';
import { PolicyDocumentSchema } from './iam/policy';
import { stopInstance, terminateInstance } from './ec2/instances';
import type { InstanceRecord } from './ec2/records';
import type { RegionState } from './ec2/region-state';
import { imageValueValidator } from './ssm/access';
import type { KeyRecord, KeyState } from './kms/keys';
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

export interface KmsKeyView {
  keyId: string;
  arn: string;
  region: string;
  keyManager: 'AWS' | 'CUSTOMER';
  state: KeyState;
}

export interface ParameterView {
  name: string;
  region: string;
  type: string;
  dataType: string;
  /** The plaintext, also of a SecureString (the Sandbox never encrypts; this is for tests). */
  value: string;
  version: number;
  keyId?: string;
}

function keyView(key: KeyRecord): KmsKeyView {
  return { keyId: key.keyId, arn: key.arn, region: key.region, keyManager: key.keyManager, state: key.state };
}

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
    this.autoScalingRegions(query);
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

  /** A region's KMS key by any identifier KMS accepts (alias, id, ARN); undefined when there is none. */
  kmsKey(region: string, identifier: string): KmsKeyView | undefined {
    const key = this.core.kms(region).resolve(identifier);
    return key && keyView(key);
  }

  /** Adds a customer managed key (and alias) to a region: a test's own key, or one in another state. */
  createKmsKey(region: string, spec: { alias: string; state?: KeyState; description?: string }): KmsKeyView {
    if (!spec.alias.startsWith('alias/') || spec.alias.startsWith('alias/aws/'))
      throw new Error(`A customer key alias starts with alias/ (not alias/aws/): ${spec.alias}`);
    const kms = this.core.kms(region);
    if (kms.aliases.has(spec.alias)) throw new Error(`${spec.alias} already exists in ${region}`);
    return keyView(
      kms.add({
        alias: spec.alias,
        description: spec.description ?? '',
        keyManager: 'CUSTOMER',
        state: spec.state ?? 'Enabled',
        createdAt: this.core.clock.now(),
      }),
    );
  }

  /** Someone disables (or enables, or schedules for deletion) a key behind the caller's back. */
  setKmsKeyState(region: string, identifier: string, state: KeyState): KmsKeyView {
    const key = this.core.kms(region).resolve(identifier);
    if (!key) throw new Error(`No KMS key ${identifier} in ${region}`);
    key.state = state;
    return keyView(key);
  }

  /** The account's own SSM parameters (newest version each), as a GetParameter at clock.now() would see them. */
  parameters(query: ResourceQuery = {}): ParameterView[] {
    const now = this.core.clock.now();
    const regions = query.region ? [query.region] : [...this.core.ssmRegions.keys()];
    return regions.flatMap((region) => {
      const store = this.core.ssm(region);
      store.settle(now, imageValueValidator(this.core.region(region), this.core.accountId));
      return [...store.parameters.values()].flatMap((p) => {
        const v = p.versions.at(-1);
        return v
          ? [
              {
                name: p.name,
                region,
                type: v.type,
                dataType: v.dataType,
                value: v.value,
                version: v.version,
                ...(v.keyId ? { keyId: v.keyId } : {}),
              },
            ]
          : [];
      });
    });
  }

  /** Auto Scaling groups as they are at clock.now(), each instance with its launch, service and exit times. */
  autoScalingGroups(query: ResourceQuery = {}): AutoScalingGroupView[] {
    return this.autoScalingRegions(query).flatMap((r) =>
      [...r.groups.values()].map((g) => groupView(this.core, g)),
    );
  }

  /** Every instance refresh, oldest first, as it is at clock.now(). */
  instanceRefreshes(query: ResourceQuery = {}): InstanceRefreshView[] {
    return this.autoScalingRegions(query).flatMap((r) => r.refreshes.map(refreshView));
  }

  /**
   * The health-check knob: instances launched from these images fail their Auto Scaling health checks
   * (a bad image), so a refresh onto them fails — and rolls back when asked to. Replaces the list; group
   * instances already running such an image are checked again one health-check interval from now.
   */
  setUnhealthyImages(imageIds: string[]): void {
    const now = this.core.clock.now();
    for (const region of this.core.autoScaling.all())
      this.core.autoScaling.catchUp(this.core, region.name, now);
    const images = this.core.autoScaling.unhealthyImages;
    images.clear();
    for (const id of imageIds) images.add(id);
    recheckImages(this.core, imageIds, now);
  }

  unhealthyImages(): string[] {
    return [...this.core.autoScaling.unhealthyImages];
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

  /**
   * Creates or replaces a role with these inline policies (its allow list) and an instance profile of the
   * same name holding it: how tests give a builder less than builder-role's "read everything".
   */
  putRole(name: string, policies: Record<string, unknown>): void {
    const parsed = Object.fromEntries(
      Object.entries(policies).map(([policy, doc]) => [policy, PolicyDocumentSchema.parse(doc)]),
    );
    const now = this.core.clock.now();
    this.core.iam.putRole(name, parsed, now);
    this.core.iam.putInstanceProfile(name, name, now);
  }

  /** Whether the account's own user (the sandbox profile) may call `action` (e.g. iam:SimulatePrincipalPolicy). */
  setCallerAllowed(action: string, allowed: boolean): void {
    if (allowed) this.core.iam.callerDenied.delete(action);
    else this.core.iam.callerDenied.add(action);
  }

  /** Creates or changes an instance profile; without `role` it holds none (its builders get no credentials). */
  putInstanceProfile(name: string, role?: string): void {
    this.core.iam.putInstanceProfile(name, role, this.core.clock.now());
  }

  /** Removes an instance profile (RunInstances naming it then fails as on AWS). */
  deleteInstanceProfile(name: string): boolean {
    return this.core.iam.deleteInstanceProfile(name);
  }

  /**
   * The role credentials an instance's metadata service hands out (iam/security-credentials/<role>), for the
   * instance profile `profile`; undefined when the profile does not exist or holds no role.
   */
  instanceRoleCredentials(
    instanceId: string,
    profile: string,
  ):
    | { role: string; AccessKeyId: string; SecretAccessKey: string; Token: string; Expiration: string }
    | undefined {
    const found = this.core.iam.findProfile(profile);
    if (!found?.role) return undefined;
    const now = this.core.clock.now();
    const issued = this.core.iam.roleCredentials(instanceId, found.role, now);
    return {
      role: found.role,
      AccessKeyId: issued.accessKeyId,
      SecretAccessKey: issued.secretAccessKey,
      Token: issued.sessionToken ?? '',
      Expiration: new Date(issued.expiresAt ?? now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
  }

  /** Forgets every resource, call, fault, scenario and timeline; ids start over from the seed. */
  reset(): void {
    this.core.reset();
  }

  private autoScalingRegions(query: ResourceQuery) {
    const now = this.core.clock.now();
    const regions = query.region ? [this.core.autoScaling.region(query.region)] : this.core.autoScaling.all();
    for (const region of regions) this.core.autoScaling.catchUp(this.core, region.name, now);
    return regions;
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
