import { AutoScalingBuckets } from './autoscaling/throttle';
import { AutoScalingWorld } from './autoscaling/world';
import type { Clock } from './clock';
import type { Ec2Context } from './ec2/context';
import { registerVmImage } from './ec2/vm-images';
import { RegionState } from './ec2/region-state';
import { FaultBook } from './faults';
import { IdGenerator } from './ids';
import { SANDBOX_CREDENTIALS } from './client-config';
import { CredentialBook, type Principal } from './iam/credentials';
import { IamWorld, ROLE_SESSION_MS } from './iam/world';
import type { RoleSession } from './vm/imds/iam-routes';
import { KmsRegion } from './kms/keys';
import { SecretsRegion } from './secretsmanager/store';
import type { LaunchTimeline, Scenario } from './scenario';
import type { SsmContext } from './ssm/access';
import { SSM_ACTIONS } from './ssm/actions';
import { SECRETS_MANAGER_ACTIONS } from './secretsmanager/actions';
import type { ReferenceReader } from './boot/resolve-references';
import { SsmRegion } from './ssm/store';
import { StsService } from './sts/service';
import { TokenBuckets } from './throttle';
import type { SandboxTimings } from './timings';
import type { VmHost } from './vm/vm-host';

export interface CallRecord {
  seq: number;
  /** Simulated time of the call (clock.now()). */
  time: number;
  /** The service's name in `services.ts` (`ec2`, `sts`, `ssm`…). */
  service: string;
  action: string;
  region: string;
  /** The request's parameters, shortened (user data only by size). */
  params: Record<string, unknown>;
  /** `ok`, or the error code the caller received (`dropped` when the connection was cut). */
  outcome: string;
  status: number;
  requestId: string;
}

const CALL_LOG_LIMIT = 10_000;

/** The simulated world's state and knobs, shared by the wire front end and the in-process Simulator API. */
export class SimulatorCore {
  readonly regions = new Map<string, RegionState>();
  /** KMS keys and SSM parameters are regional too; each service's state per region lives here. */
  readonly kmsRegions = new Map<string, KmsRegion>();
  readonly ssmRegions = new Map<string, SsmRegion>();
  readonly faults = new FaultBook();
  readonly buckets = new TokenBuckets();
  readonly dryRunDenied = new Set<string>();
  readonly sts: StsService;
  /** Every access key the Sandbox issued, with its secret: what signatures are verified against. */
  readonly credentials = new CredentialBook();
  /** Roles and instance profiles (IAM is global): what builders' sessions may do. */
  readonly iam: IamWorld;
  readonly secretsRegions = new Map<string, SecretsRegion>();
  /** Auto Scaling's groups, launch configurations and instance refreshes (src/sandbox/autoscaling). */
  readonly autoScaling = new AutoScalingWorld();
  readonly autoScalingBuckets = new AutoScalingBuckets();
  readonly ids: IdGenerator;
  scenario: Scenario = {};
  timelines: LaunchTimeline[] = [];
  calls: CallRecord[] = [];
  private seq = 0;

  constructor(
    readonly clock: Clock,
    seed: string,
    readonly timings: SandboxTimings,
    readonly throttling: boolean,
    readonly accountId: string,
    /** The VM mode, when the Sandbox was started with a VM image. */
    readonly vm?: VmHost,
  ) {
    this.ids = new IdGenerator(seed);
    this.sts = new StsService(accountId, this.ids, this.credentials);
    this.iam = new IamWorld(accountId, this.ids, this.credentials);
    this.addSandboxUser();
  }

  /** The sandbox profile's own keys: known, so requests signed with them are verified. */
  private addSandboxUser(): void {
    this.credentials.add({
      ...SANDBOX_CREDENTIALS,
      principal: { kind: 'user', arn: `arn:aws:iam::${this.accountId}:user/sandbox`, verified: true },
    });
  }

  secrets(regionName: string): SecretsRegion {
    let state = this.secretsRegions.get(regionName);
    if (!state) {
      state = new SecretsRegion(regionName, this.accountId);
      this.secretsRegions.set(regionName, state);
    }
    return state;
  }

  region(name: string): RegionState {
    let state = this.regions.get(name);
    if (!state) {
      state = new RegionState(name);
      if (this.vm) registerVmImage(state, this.vm, this.accountId);
      this.regions.set(name, state);
    }
    return state;
  }

  kms(regionName: string): KmsRegion {
    let state = this.kmsRegions.get(regionName);
    if (!state) {
      state = new KmsRegion(regionName, this.accountId);
      this.kmsRegions.set(regionName, state);
    }
    return state;
  }

  ssm(regionName: string): SsmRegion {
    let state = this.ssmRegions.get(regionName);
    if (!state) {
      state = new SsmRegion(regionName);
      this.ssmRegions.set(regionName, state);
    }
    return state;
  }

  ec2Context(regionName: string): Ec2Context {
    // Auto Scaling launches and terminates EC2 instances on its own schedule: play it up to now first.
    this.autoScaling.catchUp(this, regionName, this.clock.now());
    return {
      now: this.clock.now(),
      region: this.region(regionName),
      accountId: this.accountId,
      ids: this.ids,
      timings: this.timings,
      scenario: this.scenario,
      nextTimeline: () => this.timelines.shift(),
      ...(this.vm ? { vm: this.vm } : {}),
      kms: this.kms(regionName),
      otherRegion: (name) => ({ ec2: this.region(name), kms: this.kms(name) }),
      references: this.referenceReader(regionName),
      instanceProfileExists: (nameOrArn) => this.iam.findProfile(nameOrArn) !== undefined,
    };
  }

  /**
   * The role session instance metadata hands a VM instance launched with an instance profile (the same
   * credentials until they near their end), or undefined without a profile or a role in it.
   */
  instanceRoleSession(source: {
    instanceId: string;
    iamInstanceProfile?: { arn: string; id: string };
  }): RoleSession | undefined {
    const profile = source.iamInstanceProfile
      ? this.iam.findProfile(source.iamInstanceProfile.arn)
      : undefined;
    if (!profile?.role) return undefined;
    const now = this.clock.now();
    const issued = this.iam.roleCredentials(source.instanceId, profile.role, now);
    return {
      role: profile.role,
      instanceProfileArn: profile.arn,
      instanceProfileId: profile.id,
      accessKeyId: issued.accessKeyId,
      secretAccessKey: issued.secretAccessKey,
      token: issued.sessionToken ?? '',
      expiresAt: issued.expiresAt ?? now,
      issuedAt: (issued.expiresAt ?? now) - ROLE_SESSION_MS,
    };
  }

  /** A builder's reads through the Sandbox's own SSM and Secrets Manager actions, as its role session. */
  private referenceReader(regionName: string): ReferenceReader {
    return {
      principal: (profileArn, instanceId) => {
        const role = this.iam.findProfile(profileArn)?.role;
        if (!role) return undefined;
        return this.iam.roleCredentials(instanceId, role, this.clock.now()).principal;
      },
      getParameters: (principal, names) =>
        SSM_ACTIONS.GetParameters!(this.ssmContext(regionName, principal), {
          Names: names,
          WithDecryption: true,
        }) as { Parameters?: { Value: string }[] },
      getSecretValue: (principal, id) =>
        SECRETS_MANAGER_ACTIONS.GetSecretValue!(
          {
            now: this.clock.now(),
            region: regionName,
            accountId: this.accountId,
            store: this.secrets(regionName),
            kms: this.kms(regionName),
            iam: this.iam,
            principal,
            ids: this.ids,
          },
          { SecretId: id },
        ) as { SecretString?: string; SecretBinary?: string },
    };
  }

  ssmContext(regionName: string, principal: Principal): SsmContext {
    return {
      now: this.clock.now(),
      region: regionName,
      accountId: this.accountId,
      store: this.ssm(regionName),
      kms: this.kms(regionName),
      ec2: this.region(regionName),
      imageValidationMs: this.timings.ssmImageValidationMs,
      iam: this.iam,
      principal,
    };
  }

  record(call: Omit<CallRecord, 'seq'>): void {
    this.calls.push({ seq: ++this.seq, ...call });
    if (this.calls.length > CALL_LOG_LIMIT) this.calls.splice(0, this.calls.length - CALL_LOG_LIMIT);
  }

  reset(): void {
    // Forgetting a VM's record must not forget the VM: each is terminated (QEMU killed, its disk deleted).
    for (const region of this.regions.values())
      for (const instance of region.instances.values()) instance.vm?.terminate('');
    this.regions.clear();
    this.kmsRegions.clear();
    this.ssmRegions.clear();
    this.faults.clear();
    this.buckets.reset();
    this.dryRunDenied.clear();
    this.sts.reset();
    this.credentials.clear();
    this.addSandboxUser();
    this.iam.reset();
    this.secretsRegions.clear();
    this.autoScaling.reset();
    this.autoScalingBuckets.reset();
    this.ids.reset();
    this.scenario = {};
    this.timelines = [];
    this.calls = [];
    this.seq = 0;
  }
}
