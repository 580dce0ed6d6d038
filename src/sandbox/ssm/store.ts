/**
 * One account's Parameter Store in one region: every parameter with its version history, and the
 * `aws:ec2:image` puts still being validated. Parameter Store validates an AMI id asynchronously: PutParameter
 * answers 200 with the new version number at once, and only later does the value appear — or, when the AMI is
 * not an available image of this account in this region, never (the parameter is not created or updated, and
 * the caller is not told). That is what a caller sees here too.
 *
 * The state is plain data so issue 18's SecureString decryption rules and instance-profile access can read
 * it without changing its shape.
 */
export type ParameterType = 'String' | 'StringList' | 'SecureString';
export type ParameterDataType = 'text' | 'aws:ec2:image';

export interface ParameterVersion {
  version: number;
  /** Plaintext, also for SecureString: nothing here is encrypted, only labelled with the key it would use. */
  value: string;
  type: ParameterType;
  dataType: ParameterDataType;
  /** SecureString: the KMS key's ARN. */
  keyId?: string;
  description?: string;
  modifiedAt: number;
  modifiedBy: string;
}

export interface ParameterRecord {
  name: string;
  versions: ParameterVersion[];
}

export interface PendingPut {
  name: string;
  /** When the asynchronous validation is over. */
  settlesAt: number;
  put: ParameterVersion;
}

/** Parameter Store keeps the 100 newest versions of a parameter and drops the oldest beyond that. */
export const MAX_VERSIONS = 100;

export class SsmRegion {
  readonly parameters = new Map<string, ParameterRecord>();
  readonly pending: PendingPut[] = [];

  constructor(readonly region: string) {}

  latest(name: string): ParameterVersion | undefined {
    return this.parameters.get(name)?.versions.at(-1);
  }

  /** The next version number, counting puts still being validated. */
  nextVersion(name: string): number {
    const stored = this.latest(name)?.version ?? 0;
    const waiting = this.pending.filter((p) => p.name === name).map((p) => p.put.version);
    return Math.max(stored, ...waiting) + 1;
  }

  write(name: string, put: ParameterVersion): void {
    let record = this.parameters.get(name);
    if (!record) this.parameters.set(name, (record = { name, versions: [] }));
    record.versions.push(put);
    if (record.versions.length > MAX_VERSIONS)
      record.versions.splice(0, record.versions.length - MAX_VERSIONS);
  }

  /**
   * Applies the `aws:ec2:image` puts whose validation is over by `now`, each judged as it stood when it
   * settled: `valid(value, at)` says whether the value named an available image then.
   */
  settle(now: number, valid: (value: string, at: number) => boolean): void {
    const due = this.pending.filter((p) => p.settlesAt <= now).sort((a, b) => a.settlesAt - b.settlesAt);
    for (const pending of due) {
      this.pending.splice(this.pending.indexOf(pending), 1);
      if (valid(pending.put.value, pending.settlesAt)) this.write(pending.name, pending.put);
    }
  }

  delete(name: string): boolean {
    for (let i = this.pending.length - 1; i >= 0; i--)
      if (this.pending[i]!.name === name) this.pending.splice(i, 1);
    return this.parameters.delete(name);
  }
}
