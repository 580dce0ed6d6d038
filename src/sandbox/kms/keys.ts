import { createHash } from 'node:crypto';

/**
 * The KMS keys of one account in one region. KMS keys are regional: every region has its own keys under the
 * same alias names, with different ids — which is why a copy to another region needs that region's key.
 * Each region starts with:
 *
 *   alias/aws/ebs            the AWS managed key EBS uses by default (KeyManager AWS; cannot be shared)
 *   alias/aws/secretsmanager the AWS managed key Secrets Manager encrypts secrets with by default
 *   alias/aws/ssm            the AWS managed key Parameter Store's SecureString uses by default
 *   alias/quadraxis-images   a customer managed key, enabled (shareable with other accounts)
 *   alias/quadraxis-retired  a customer managed key that is disabled (encrypting with it fails)
 *
 * Tests and other programs can add more through `Simulator.createKmsKey`.
 */
export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface KeyRecord {
  keyId: string;
  arn: string;
  region: string;
  description: string;
  keyManager: 'AWS' | 'CUSTOMER';
  state: KeyState;
  createdAt: number;
}

export interface AliasRecord {
  name: string;
  keyId: string;
  createdAt: number;
}

const CATALOGUE_CREATED = Date.UTC(2024, 0, 15, 9, 30);

export const SEEDED_KEYS: readonly {
  alias: string;
  description: string;
  keyManager: 'AWS' | 'CUSTOMER';
  state: KeyState;
}[] = [
  {
    alias: 'alias/aws/ebs',
    description: 'Default key that protects my EBS volumes when no other key is defined',
    keyManager: 'AWS',
    state: 'Enabled',
  },
  {
    alias: 'alias/aws/secretsmanager',
    description: 'Default key that protects my Secrets Manager data when no other key is defined',
    keyManager: 'AWS',
    state: 'Enabled',
  },
  {
    alias: 'alias/aws/ssm',
    description: 'Default key that protects my SSM parameters when no other key is defined',
    keyManager: 'AWS',
    state: 'Enabled',
  },
  {
    alias: 'alias/quadraxis-images',
    description: 'Golden images (sandbox)',
    keyManager: 'CUSTOMER',
    state: 'Enabled',
  },
  {
    alias: 'alias/quadraxis-retired',
    description: 'A key someone disabled (sandbox)',
    keyManager: 'CUSTOMER',
    state: 'Disabled',
  },
];

/** A key id in KMS's own form (a UUID), stable for an account, region and alias: the same in every run. */
export function stableKeyId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\0')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;
const ALIAS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;

export class KmsRegion {
  readonly keys = new Map<string, KeyRecord>();
  readonly aliases = new Map<string, AliasRecord>();

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {
    for (const seed of SEEDED_KEYS) {
      this.add({ ...seed, createdAt: CATALOGUE_CREATED });
    }
  }

  add(spec: {
    alias?: string;
    description: string;
    keyManager: 'AWS' | 'CUSTOMER';
    state: KeyState;
    createdAt: number;
  }): KeyRecord {
    const keyId = stableKeyId(this.accountId, this.region, spec.alias ?? `key-${this.keys.size}`);
    const key: KeyRecord = {
      keyId,
      arn: `arn:aws:kms:${this.region}:${this.accountId}:key/${keyId}`,
      region: this.region,
      description: spec.description,
      keyManager: spec.keyManager,
      state: spec.state,
      createdAt: spec.createdAt,
    };
    this.keys.set(keyId, key);
    if (spec.alias) this.aliases.set(spec.alias, { name: spec.alias, keyId, createdAt: spec.createdAt });
    return key;
  }

  /**
   * A key by any of the four ways KMS accepts: key id, key ARN, alias name, alias ARN. An ARN of another
   * region or account names no key here (KMS keys never leave their region).
   */
  resolve(identifier: string): KeyRecord | undefined {
    if (KEY_ID.test(identifier)) return this.keys.get(identifier);
    const keyArn = KEY_ARN.exec(identifier);
    if (keyArn) {
      const [, region, account, keyId] = keyArn;
      return region === this.region && account === this.accountId ? this.keys.get(keyId!) : undefined;
    }
    const aliasArn = ALIAS_ARN.exec(identifier);
    const alias = aliasArn
      ? aliasArn[1] === this.region && aliasArn[2] === this.accountId
        ? aliasArn[3]
        : undefined
      : identifier.startsWith('alias/')
        ? identifier
        : undefined;
    const record = alias ? this.aliases.get(alias) : undefined;
    return record ? this.keys.get(record.keyId) : undefined;
  }

  /** The AWS managed key EBS encrypts with when no key is named. */
  ebsDefault(): KeyRecord {
    return this.resolve('alias/aws/ebs')!;
  }

  aliasArn(name: string): string {
    return `arn:aws:kms:${this.region}:${this.accountId}:${name}`;
  }
}
