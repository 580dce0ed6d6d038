import { createHash } from 'node:crypto';

/**
 * One account's Secrets Manager secrets in one region. A secret has versions, each labelled with staging
 * labels: AWSCURRENT (what GetSecretValue returns by default) moves to a new version on PutSecretValue,
 * and the one it leaves becomes AWSPREVIOUS. Values are stored in plain text, labelled with the KMS key
 * that would protect them (none: the AWS managed aws/secretsmanager key): nothing here is encrypted.
 */
export interface SecretVersion {
  versionId: string;
  stages: string[];
  secretString?: string;
  secretBinary?: Buffer;
  createdAt: number;
}

export interface SecretRecord {
  name: string;
  /** `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>` */
  arn: string;
  description?: string;
  /** A customer managed key's ARN; undefined means the AWS managed key alias/aws/secretsmanager. */
  kmsKeyId?: string;
  createdAt: number;
  lastChangedAt: number;
  versions: SecretVersion[];
  tags: { Key: string; Value: string }[];
}

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export class SecretsRegion {
  readonly secrets = new Map<string, SecretRecord>();

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  /** The ARN a new secret gets: its name and six characters Secrets Manager adds, stable here per name. */
  arnFor(name: string): string {
    const bytes = createHash('sha256').update(`${this.accountId}\0${this.region}\0${name}`).digest();
    const suffix = [...bytes.subarray(0, 6)].map((b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('');
    return `${this.prefix()}${name}-${suffix}`;
  }

  private prefix(): string {
    return `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:`;
  }

  /** By name, by full ARN, or by partial ARN (without the six-character suffix), as Secrets Manager looks up. */
  find(id: string): SecretRecord | undefined {
    if (!id.startsWith('arn:')) return this.secrets.get(id);
    for (const secret of this.secrets.values()) {
      if (secret.arn === id || `${this.prefix()}${secret.name}` === id) return secret;
    }
    return undefined;
  }

  /** The ARN a policy would name for `id`: the secret's own when it exists, else the pattern of one. */
  resourceArn(id: string): string {
    const found = this.find(id);
    if (found) return found.arn;
    return id.startsWith('arn:') ? id : `${this.prefix()}${id}-??????`;
  }

  current(secret: SecretRecord): SecretVersion | undefined {
    return secret.versions.find((v) => v.stages.includes('AWSCURRENT'));
  }

  /** Adds a version and moves `stages` to it; AWSCURRENT's previous holder becomes AWSPREVIOUS. */
  addVersion(secret: SecretRecord, version: SecretVersion): void {
    for (const stage of version.stages) {
      for (const other of secret.versions) {
        const at = other.stages.indexOf(stage);
        if (at < 0) continue;
        other.stages.splice(at, 1);
        if (stage === 'AWSCURRENT') {
          for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
          other.stages.push('AWSPREVIOUS');
        }
      }
    }
    secret.versions.push(version);
    // Secrets Manager drops versions without a label once there are many; keep the labelled ones and 100 more.
    const unlabelled = secret.versions.filter((v) => v.stages.length === 0);
    if (unlabelled.length > 100) {
      const drop = new Set(unlabelled.slice(0, unlabelled.length - 100));
      secret.versions = secret.versions.filter((v) => !drop.has(v));
    }
    secret.lastChangedAt = version.createdAt;
  }
}
