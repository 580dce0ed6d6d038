import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  type Instance,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { createAwsClients, type AwsClients } from '../../../src/main/services/aws/clients';
import { getCallerIdentity } from '../../../src/main/services/aws/identity';
import type { Connect } from '../../../src/main/services/bake';
import { RegionRegistry } from '../../../src/main/services/bake/region-services';
import { VirtualClock } from '../../../src/main/services/clock';
import { createDeployService } from '../../../src/main/services/deploy/service';
import type { DeployRequest, DeployService } from '../../../src/main/services/deploy/types';
import { silentLogger } from '../../../src/main/services/logger';
import { createStore, type Store } from '../../../src/main/services/store';
import type { DeployEvent } from '../../../src/shared/deploy';
import type { ProjectInput } from '../../../src/shared/project';
import {
  clockTrackingExtension,
  sandboxClientConfig,
  SANDBOX_CREDENTIALS,
  startSandbox,
  type SandboxHandle,
} from '../../../src/sandbox';
import { stableId } from '../../../src/sandbox/ids';
import { FAST_BAKE_TIMINGS } from '../../helpers/sandbox-timings';
import { versionInput } from '../../helpers/version-input';

export const REGION = 'eu-west-1';
export const AMI_V1 = stableId('ami', REGION, 'al2023-ami-2023.5.20240916.0-kernel-6.1-x86_64');
export const AMI_V2 = stableId('ami', REGION, 'al2023-ami-2023.6.20241031.0-kernel-6.1-x86_64');
export const AMI_ARM = stableId('ami', REGION, 'al2023-ami-2023.6.20241031.0-kernel-6.1-arm64');
const SUBNETS = ['a', 'b', 'c'].map((z) => stableId('subnet', REGION, `${REGION}${z}`)).join(',');

/**
 * A Sandbox on a VirtualClock in auto mode, a store in a temp dir, and a deploy service wired to both
 * with the same RegionRegistry the runtime shares between bakes and deploys. Project `web` has version 1
 * (AMI_V1) and version 2 (AMI_V2) recorded, and names group `web-asg` as its deploy target.
 */
export class DeployHarness {
  readonly clients = new Map<string, AwsClients>();
  readonly events: DeployEvent[] = [];
  services: DeployService[] = [];
  readonly ec2: EC2Client;
  readonly asg: AutoScalingClient;
  templateId = '';

  private constructor(
    readonly clock: VirtualClock,
    readonly sandbox: SandboxHandle,
    readonly dataDir: string,
    readonly store: Store,
  ) {
    const config = { ...sandboxClientConfig(sandbox, { region: REGION, clock }), maxAttempts: 1 };
    this.ec2 = new EC2Client(config);
    this.asg = new AutoScalingClient(config);
  }

  static async create(project: Partial<ProjectInput> = {}): Promise<DeployHarness> {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1, 12));
    const sandbox = await startSandbox({ seed: 'deploy-tests', clock, timings: FAST_BAKE_TIMINGS });
    const dataDir = await mkdtemp(join(tmpdir(), 'qx-deploy-'));
    const store = createStore({ dataDir, clock, logger: { warn: () => undefined }, actor: 'deploy tests' });
    const h = new DeployHarness(clock, sandbox, dataDir, store);
    await store.projects.create({
      name: 'web',
      region: REGION,
      baseImage: { kind: 'id', imageId: AMI_V1 },
      initScript: '#!/bin/sh\necho hi\n',
      deploy: { targets: [{ group: 'web-asg' }] },
      ...project,
    });
    await store.versions.record(
      versionInput('web', { region: REGION, imageId: AMI_V1, bakeId: 'bk_0000000001aaaaaaaaaa' }),
    );
    await store.versions.record(
      versionInput('web', { region: REGION, imageId: AMI_V2, bakeId: 'bk_0000000002aaaaaaaaaa' }),
    );
    clock.startAuto();
    return h;
  }

  get sim() {
    return this.sandbox.sim;
  }

  readonly connect: Connect = (request) => {
    const region = request.region ?? REGION;
    let clients = this.clients.get(region);
    if (!clients) {
      const url = this.sandbox.url;
      clients = createAwsClients(
        {
          profile: 'sandbox',
          kind: 'sandbox',
          region,
          endpoints: { ec2: url, sts: url, ssm: url, autoscaling: url },
          simulated: true,
          fromConfigFiles: false,
          credentials: () => Promise.resolve({ ...SANDBOX_CREDENTIALS }),
        },
        {
          maxAttempts: 1,
          clientConfig: { retryMode: 'standard', extensions: [clockTrackingExtension(this.clock)] },
        },
      );
      this.clients.set(region, clients);
    }
    return Promise.resolve({ clients, region, accountKey: this.sandbox.url, simulated: true });
  };

  /** A deploy service as a process would have it (its own pollers); `processToken` makes it another process. */
  service(options: { processToken?: string } = {}): DeployService {
    const store = options.processToken
      ? createStore({
          dataDir: this.dataDir,
          clock: this.clock,
          logger: { warn: () => undefined },
          actor: 'another process',
          owner: { processToken: options.processToken },
        })
      : this.store;
    const service = createDeployService({
      store,
      clock: this.clock,
      connect: this.connect,
      regions: new RegionRegistry(this.clock, silentLogger, 2_000),
      identity: (connection) => getCallerIdentity(connection.clients),
      logger: silentLogger,
      actor: 'deploy tests',
    });
    service.subscribe((event) => this.events.push(event));
    this.services.push(service);
    return service;
  }

  request(more: Partial<DeployRequest> = {}): DeployRequest {
    return {
      project: 'web',
      version: 2,
      group: 'web-asg',
      profile: 'sandbox',
      trigger: 'cli',
      preferences: { minHealthyPercentage: 75, instanceWarmupSeconds: 30 },
      ...more,
    };
  }

  /** Launch template `web` (version 1: AMI_V1 on t3.micro) and group `web-asg` of `size` on `version`. */
  async group(
    options: { size?: number; version?: string; imageId?: string; instanceType?: string } = {},
  ): Promise<void> {
    const created = await this.ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'web',
        LaunchTemplateData: {
          ImageId: options.imageId ?? AMI_V1,
          InstanceType: (options.instanceType ?? 't3.micro') as _InstanceType,
        },
      }),
    );
    this.templateId = created.LaunchTemplate!.LaunchTemplateId!;
    const size = options.size ?? 4;
    await this.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'web-asg',
        LaunchTemplate: { LaunchTemplateId: this.templateId, Version: options.version ?? '1' },
        MinSize: size,
        MaxSize: size * 2,
        DesiredCapacity: size,
        VPCZoneIdentifier: SUBNETS,
        HealthCheckGracePeriod: 10,
      }),
    );
    await this.clock.sleep(30_000);
  }

  async instances(): Promise<Instance[]> {
    const out = await this.asg.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web-asg'] }),
    );
    return out.AutoScalingGroups?.[0]?.Instances ?? [];
  }

  async defaultVersion(): Promise<{ version: number; imageId: string | undefined }> {
    const out = await this.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: this.templateId,
        Versions: ['$Default'],
      }),
    );
    const v = out.LaunchTemplateVersions![0]!;
    return { version: v.VersionNumber!, imageId: v.LaunchTemplateData?.ImageId };
  }

  async latestVersion(): Promise<number> {
    const out = await this.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: this.templateId, Versions: ['$Latest'] }),
    );
    return out.LaunchTemplateVersions![0]!.VersionNumber!;
  }

  eventsOf(id: string): DeployEvent[] {
    return this.events.filter((e) => e.deployId === id);
  }

  async close(): Promise<void> {
    for (const service of this.services) await service.shutdown();
    for (const clients of this.clients.values()) clients.destroy();
    this.ec2.destroy();
    this.asg.destroy();
    this.clock.stopAuto();
    await this.sandbox.close();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
