import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { AWS_SERVICES, type AwsService } from '../../../shared/aws';
import { tagErrorAction } from './errors';
import type { AwsTarget } from './target';

export interface AwsClients {
  ec2: EC2Client;
  sts: STSClient;
  ssm: SSMClient;
  /** Only DescribeKey: whether a project's encryption keys exist and may be used (see delivery/). */
  kms: KMSClient;
  /** Groups (retention's in-use check; deploys). */
  autoScaling: AutoScalingClient;
  /** Only GetInstanceProfile and SimulatePrincipalPolicy: can the builder's role read the env references. */
  iam: IAMClient;
  /**
   * Only DescribeSecret: a secret referenced by name has its full ARN looked up, so the builder-role check
   * asks IAM about the ARN a role policy names (builder-role.ts). One client per region, made when first
   * asked for: a secret may live in another region than the target's.
   */
  secretsManager(region: string): SecretsManagerClient;
  target: AwsTarget;
  /** Closes the clients' sockets. */
  destroy(): void;
}

export interface AwsClientOptions {
  /** Including the first try. Adaptive retry also slows down client-side when AWS throttles. */
  maxAttempts?: number;
  /** Extra SDK client settings, e.g. a request handler from the sandbox. */
  clientConfig?: Record<string, unknown>;
}

const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * The three clients a bake needs, all signing with the target's (shared, memoized) credentials and calling
 * the target's endpoints. Endpoints the SDK would find on its own are ignored on purpose: the target already
 * resolved them for the chosen profile, and that is what the UI shows.
 */
export function createAwsClients(target: AwsTarget, options: AwsClientOptions = {}): AwsClients {
  const common = (service: AwsService) => ({
    region: target.region,
    credentials: target.credentials,
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    ignoreConfiguredEndpointUrls: true,
    // Other shared-config settings (FIPS, dual-stack…) then come from the chosen profile, not AWS_PROFILE's.
    ...(target.fromConfigFiles ? { profile: target.profile } : {}),
    ...(endpointOf(target, service) ? { endpoint: endpointOf(target, service) } : {}),
    ...options.clientConfig,
  });
  const ec2 = new EC2Client(common('ec2'));
  const sts = new STSClient(common('sts'));
  const ssm = new SSMClient(common('ssm'));
  const kms = new KMSClient(common('kms'));
  const autoScaling = new AutoScalingClient(common('autoscaling'));
  const iam = new IAMClient(common('iam'));
  const secretsManagers = new Map<string, SecretsManagerClient>();
  const secretsManager = (region: string): SecretsManagerClient => {
    let client = secretsManagers.get(region);
    if (!client) {
      const { endpoint: _, ...config } = common('ec2');
      const endpoint = secretsManagerEndpoint(target);
      client = new SecretsManagerClient({ ...config, region, ...(endpoint ? { endpoint } : {}) });
      nameFailedActions(client, 'secretsmanager');
      secretsManagers.set(region, client);
    }
    return client;
  };
  nameFailedActions(ec2, 'ec2');
  nameFailedActions(sts, 'sts');
  nameFailedActions(ssm, 'ssm');
  nameFailedActions(kms, 'kms');
  nameFailedActions(autoScaling, 'autoscaling');
  return {
    ec2,
    sts,
    ssm,
    kms,
    autoScaling,
    iam,
    secretsManager,
    target,
    destroy() {
      ec2.destroy();
      sts.destroy();
      ssm.destroy();
      kms.destroy();
      autoScaling.destroy();
      iam.destroy();
      for (const client of secretsManagers.values()) client.destroy();
      secretsManagers.clear();
    },
  };
}

/** The Sandbox answers every service at one URL: a simulated target never sends a service to real AWS. */
function endpointOf(target: AwsTarget, service: AwsService): string | undefined {
  return target.endpoints[service] ?? (target.simulated ? target.endpoints.ec2 : undefined);
}

/**
 * Secrets Manager has no endpoint setting of its own (a target names only the services the app always
 * calls): the Sandbox's one URL when simulated, the one URL every service is sent to when the profile or
 * `--endpoint` names a single one (LocalStack), else AWS's own endpoint for the secret's region.
 */
function secretsManagerEndpoint(target: AwsTarget): string | undefined {
  if (target.simulated) return target.endpoints.ec2;
  const urls = AWS_SERVICES.map((service) => target.endpoints[service]);
  return urls.every((url) => url !== undefined && url === urls[0]) ? urls[0] : undefined;
}

/** So an error can say "not allowed to call ec2:RunInstances" whoever catches it. */
function nameFailedActions(
  client: EC2Client | STSClient | SSMClient | KMSClient | SecretsManagerClient,
  service: AwsService | 'secretsmanager',
): void {
  (client as EC2Client).middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        tagErrorAction(error, `${service}:${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`);
        throw error;
      }
    },
    { step: 'initialize', name: 'quadraxisNameFailedAction' },
  );
}
