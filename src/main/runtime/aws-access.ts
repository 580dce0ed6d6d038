import type { AwsCredentialIdentityProvider } from '@smithy/types';
import {
  type CallerIdentity,
  type GeneratedPolicy,
  type PermissionReport,
  type ProfileList,
  type TargetRequest,
  type TargetSummary,
} from '../../shared/aws';
import type { Project } from '../../shared/project';
import { createAwsClients, type AwsClients } from '../services/aws/clients';
import type { AskMfaCode } from '../services/aws/credentials';
import { getCallerIdentity } from '../services/aws/identity';
import { checkPermissions } from '../services/aws/permissions';
import { createPickers, type Pickers } from '../services/aws/pickers';
import { generatePolicy } from '../services/aws/policy';
import { targetInstanceProfiles } from '../services/aws/policy-deploy';
import { discoverProfiles } from '../services/aws/profiles';
import { describeTarget, resolveTarget, type AwsTarget } from '../services/aws/target';
import type { Connect } from '../services/bake';
import type { Clock } from '../services/clock';
import type { SandboxManager } from './sandbox-manager';

export interface AwsAccessOptions {
  clock: Clock;
  env?: NodeJS.ProcessEnv;
  sandbox: SandboxManager;
  askMfaCode?: AskMfaCode;
  /** Extra SDK client settings for every client (tests pass the virtual-clock extension). */
  clientConfig?: Record<string, unknown>;
}

/**
 * The main process's one door to AWS: profiles, credentials, clients, identity, pickers, permission check
 * and policy. Credentials are resolved once per profile (so an MFA code is asked once, not per region) and
 * clients once per profile, region and endpoint. Nothing returned here carries a secret.
 */
export class AwsAccess {
  readonly pickers: Pickers;
  private profileList?: Promise<ProfileList>;
  private readonly credentials = new Map<string, AwsCredentialIdentityProvider>();
  private readonly clientCache = new Map<string, Promise<AwsClients>>();
  private readonly accounts = new Map<string, Promise<string>>();

  constructor(private readonly options: AwsAccessOptions) {
    this.pickers = createPickers({ clock: options.clock });
  }

  /** Re-reads the config files when `refresh` is set (the profile picker's refresh button). */
  profiles(refresh = false): Promise<ProfileList> {
    if (refresh || !this.profileList) {
      if (refresh) this.forget();
      this.profileList = discoverProfiles({ env: this.options.env ?? process.env });
      this.profileList.catch(() => (this.profileList = undefined));
    }
    return this.profileList;
  }

  async target(request: TargetRequest): Promise<AwsTarget> {
    const resolved = await resolveTarget({
      profile: request.profile,
      ...(request.region ? { region: request.region } : {}),
      ...(request.endpoint ? { endpoint: request.endpoint } : {}),
      profiles: await this.profiles(),
      env: this.options.env ?? process.env,
      clock: this.options.clock,
      sandbox: () => this.options.sandbox.ensure(),
      ...(this.options.askMfaCode ? { askMfaCode: this.options.askMfaCode } : {}),
    });
    const shared = this.credentials.get(resolved.profile);
    if (shared) return { ...resolved, credentials: shared };
    this.credentials.set(resolved.profile, resolved.credentials);
    return resolved;
  }

  clients(request: TargetRequest): Promise<AwsClients> {
    const key = `${request.profile}\u0000${request.region ?? ''}\u0000${request.endpoint ?? ''}`;
    let clients = this.clientCache.get(key);
    if (!clients) {
      clients = this.target(request).then((target) =>
        createAwsClients(
          target,
          this.options.clientConfig ? { clientConfig: this.options.clientConfig } : {},
        ),
      );
      clients.catch(() => this.clientCache.delete(key));
      this.clientCache.set(key, clients);
    }
    return clients;
  }

  async identity(request: TargetRequest): Promise<{ target: TargetSummary; identity: CallerIdentity }> {
    const clients = await this.clients(request);
    return { target: describeTarget(clients.target), identity: await getCallerIdentity(clients) };
  }

  async checkPermissions(
    request: TargetRequest,
    project: Project,
    signal?: AbortSignal,
  ): Promise<PermissionReport> {
    return checkPermissions(await this.clients(request), project, undefined, {
      ...(signal ? { signal } : {}),
      regionClients: (region) => this.clients({ ...request, region }),
    });
  }

  async policy(project: Project, request?: TargetRequest): Promise<GeneratedPolicy> {
    if (!request) return generatePolicy(project);
    const { target, identity } = await this.identity(request);
    // With a profile, the deploy targets' launch templates say whether an instance profile's role is passed.
    const deployInstanceProfiles = project.deploy?.targets.length
      ? await targetInstanceProfiles(await this.clients(request), project).catch(() => undefined)
      : undefined;
    return generatePolicy(project, {
      accountId: identity.account,
      region: target.region,
      ...(deployInstanceProfiles ? { deployInstanceProfiles } : {}),
    });
  }

  /** The bake engine's view: clients plus the key its shared poller is per (account, or endpoint when simulated). */
  readonly connect: Connect = async (request) => {
    const clients = await this.clients(request);
    const { target } = clients;
    return {
      clients,
      region: target.region,
      accountKey: target.simulated
        ? `sandbox:${target.endpoints.ec2 ?? ''}`
        : await this.account(request, clients),
      simulated: target.simulated,
    };
  };

  private account(request: TargetRequest, clients: AwsClients): Promise<string> {
    const key = `${request.profile}\u0000${request.endpoint ?? ''}`;
    let account = this.accounts.get(key);
    if (!account) {
      account = getCallerIdentity(clients).then((identity) => identity.account);
      account.catch(() => this.accounts.delete(key));
      this.accounts.set(key, account);
    }
    return account;
  }

  /** Drops cached credentials and clients, e.g. after `aws sso login` or an edited config file. */
  forget(profile?: string): void {
    for (const [key, clients] of this.clientCache) {
      if (profile && !key.startsWith(`${profile}\u0000`)) continue;
      this.clientCache.delete(key);
      void clients.then(
        (c) => c.destroy(),
        () => undefined,
      );
    }
    if (profile) {
      this.credentials.delete(profile);
      for (const key of this.accounts.keys())
        if (key.startsWith(`${profile}\u0000`)) this.accounts.delete(key);
    } else {
      this.credentials.clear();
      this.accounts.clear();
    }
    this.pickers.invalidate();
  }

  close(): void {
    this.forget();
  }
}
