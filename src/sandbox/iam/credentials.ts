/**
 * Who a request comes from. The Sandbox knows the secret key of every access key it issued — the sandbox
 * profile's own, AssumeRole's sessions, and the instance-role sessions its metadata service hands a builder
 * — and verifies those requests' signatures (wire/sigv4.ts). Keys it never issued are still taken as the
 * account's own sandbox user without a check, as the Sandbox always has, so any tool can talk to it.
 */
export type Principal =
  /** The account's sandbox user (the sandbox profile's keys, or keys the Sandbox does not know). */
  | { kind: 'user'; arn: string; verified: boolean }
  /** A session AssumeRole issued (assume-role profiles): trusted like the user. */
  | { kind: 'assumed-role'; arn: string }
  /** A builder's instance-profile session: may only do what its role's policies allow. */
  | { kind: 'instance-role'; arn: string; role: string; instanceId: string };

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When the credentials stop working (simulated time); none for long-term keys. */
  expiresAt?: number;
  principal: Principal;
}

export class CredentialBook {
  private readonly keys = new Map<string, IssuedCredentials>();

  add(credentials: IssuedCredentials): void {
    this.keys.set(credentials.accessKeyId, credentials);
  }

  get(accessKeyId: string): IssuedCredentials | undefined {
    return this.keys.get(accessKeyId);
  }

  /** Every session of a principal (an instance's role sessions, when it is terminated). */
  forget(predicate: (credentials: IssuedCredentials) => boolean): void {
    for (const [key, credentials] of this.keys) if (predicate(credentials)) this.keys.delete(key);
  }

  clear(): void {
    this.keys.clear();
  }
}
