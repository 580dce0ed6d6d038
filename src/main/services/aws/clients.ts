import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsService } from '../../../shared/aws';
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
    target,
    destroy() {
      ec2.destroy();
      sts.destroy();
      ssm.destroy();
      kms.destroy();
      autoScaling.destroy();
      iam.destroy();
    },
  };
}

/** The Sandbox answers every service at one URL: a simulated target never sends a service to real AWS. */
function endpointOf(target: AwsTarget, service: AwsService): string | undefined {
  return target.endpoints[service] ?? (target.simulated ? target.endpoints.ec2 : undefined);
}

/** So an error can say "not allowed to call ec2:RunInstances" whoever catches it. */
function nameFailedActions(client: EC2Client | STSClient | SSMClient | KMSClient, service: AwsService): void {
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
