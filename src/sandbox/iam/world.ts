import { createHash } from 'node:crypto';
import type { IdGenerator } from '../ids';
import type { CredentialBook, IssuedCredentials } from './credentials';
import type { PolicyDocument } from './policy';

/**
 * The account's IAM roles and instance profiles (IAM is global: one world for every region). Each role
 * has inline policies — its allow list — that the Sandbox evaluates when a builder's instance-role session
 * calls SSM, Secrets Manager or KMS, and when SimulatePrincipalPolicy asks. It starts with one instance
 * profile, `builder-role`, whose role may read every parameter and secret (and decrypt them); tests and
 * other programs add narrower ones (control API `PUT /_sandbox/iam/roles/<name>`, Simulator.putRole).
 */
export interface RoleRecord {
  name: string;
  roleId: string;
  arn: string;
  path: string;
  createdAt: number;
  policies: Map<string, PolicyDocument>;
}

export interface InstanceProfileRecord {
  name: string;
  id: string;
  arn: string;
  path: string;
  createdAt: number;
  /** At most one role, as in IAM. */
  role: string | undefined;
}

export const DEFAULT_BUILDER_PROFILE = 'builder-role';
/** Instance-role sessions last this long; the metadata service hands out new ones before they lapse. */
export const ROLE_SESSION_MS = 6 * 3_600_000;
const CREATED = Date.UTC(2024, 0, 15, 9, 30);

/** What the default builder role may do: read every parameter and secret, and decrypt them. */
export const READ_EVERYTHING: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'ReadEveryParameterAndSecret',
      Effect: 'Allow',
      Action: [
        'ssm:GetParameter',
        'ssm:GetParameters',
        'ssm:GetParametersByPath',
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
        'kms:Decrypt',
      ],
      Resource: '*',
    },
  ],
};

function stableId(prefix: string, ...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\0')).digest('hex');
  return `${prefix}${hex.slice(0, 17).toUpperCase()}`;
}

export class IamWorld {
  readonly roles = new Map<string, RoleRecord>();
  readonly profiles = new Map<string, InstanceProfileRecord>();
  /** Actions the account's own user (and AssumeRole sessions) may not call: denials to test with. */
  readonly callerDenied = new Set<string>();

  constructor(
    private readonly accountId: string,
    private readonly ids: IdGenerator,
    private readonly credentials: CredentialBook,
  ) {
    this.seed();
  }

  private seed(): void {
    this.putRole(DEFAULT_BUILDER_PROFILE, { ReadEveryParameterAndSecret: READ_EVERYTHING }, CREATED);
    this.putInstanceProfile(DEFAULT_BUILDER_PROFILE, DEFAULT_BUILDER_PROFILE, CREATED);
  }

  /** Creates or replaces a role's inline policies (its allow list). */
  putRole(name: string, policies: Record<string, PolicyDocument>, now: number): RoleRecord {
    const existing = this.roles.get(name);
    const role: RoleRecord = existing ?? {
      name,
      roleId: stableId('AROA', this.accountId, 'role', name),
      arn: `arn:aws:iam::${this.accountId}:role/${name}`,
      path: '/',
      createdAt: now,
      policies: new Map(),
    };
    role.policies = new Map(Object.entries(policies));
    this.roles.set(name, role);
    return role;
  }

  putInstanceProfile(name: string, role: string | undefined, now: number): InstanceProfileRecord {
    if (role !== undefined && !this.roles.has(role)) throw new Error(`There is no role named ${role}.`);
    const profile: InstanceProfileRecord = this.profiles.get(name) ?? {
      name,
      id: stableId('AIPA', this.accountId, 'instance-profile', name),
      arn: `arn:aws:iam::${this.accountId}:instance-profile/${name}`,
      path: '/',
      createdAt: now,
      role,
    };
    profile.role = role;
    this.profiles.set(name, profile);
    return profile;
  }

  deleteInstanceProfile(name: string): boolean {
    return this.profiles.delete(name);
  }

  /** An instance profile by the name or ARN RunInstances was given. */
  findProfile(nameOrArn: string): InstanceProfileRecord | undefined {
    const arn = /^arn:aws[a-z-]*:iam::(\d{12}):instance-profile\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(
      nameOrArn,
    );
    if (arn) return arn[1] === this.accountId ? this.profiles.get(arn[2]!) : undefined;
    return this.profiles.get(nameOrArn);
  }

  /** A role by name or ARN. */
  findRole(nameOrArn: string): RoleRecord | undefined {
    const arn = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(nameOrArn);
    if (arn) return arn[1] === this.accountId ? this.roles.get(arn[2]!) : undefined;
    return this.roles.get(nameOrArn);
  }

  /**
   * Credentials for the role of an instance's profile, as the metadata service hands them out: the same
   * ones until they are within 15 minutes of lapsing, then new ones (the old still work until they lapse).
   */
  roleCredentials(instanceId: string, roleName: string, now: number): IssuedCredentials {
    const current = this.sessions.get(`${instanceId}\0${roleName}`);
    if (current && (current.expiresAt ?? 0) - now > 15 * 60_000) return current;
    const issued: IssuedCredentials = {
      accessKeyId: `ASIA${this.ids.token('role-key', 16)}`,
      secretAccessKey: this.ids.token('role-secret', 40),
      sessionToken: Buffer.from(
        this.ids.nextHex('role-token') + this.ids.nextHex('role-token'),
        'hex',
      ).toString('base64'),
      expiresAt: now + ROLE_SESSION_MS,
      principal: {
        kind: 'instance-role',
        arn: `arn:aws:sts::${this.accountId}:assumed-role/${roleName}/${instanceId}`,
        role: roleName,
        instanceId,
      },
    };
    this.sessions.set(`${instanceId}\0${roleName}`, issued);
    this.credentials.add(issued);
    return issued;
  }

  private readonly sessions = new Map<string, IssuedCredentials>();

  reset(): void {
    this.roles.clear();
    this.profiles.clear();
    this.callerDenied.clear();
    this.sessions.clear();
    this.seed();
  }
}
