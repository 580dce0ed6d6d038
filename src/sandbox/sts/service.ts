import { z } from 'zod';
import type { CredentialBook } from '../iam/credentials';
import type { IdGenerator } from '../ids';
import type { CallerScope } from '../wire/auth';
import { SandboxError } from '../wire/errors';
import { parseParams, qInt, type QueryTree } from '../wire/query';
import { isoTime, type XmlValue } from '../wire/xml';

export const STS_ACTIONS: ReadonlySet<string> = new Set(['GetCallerIdentity', 'AssumeRole']);

const AssumeRoleSchema = z.object({
  RoleArn: z.string().optional(),
  RoleSessionName: z.string().optional(),
  DurationSeconds: qInt.optional(),
  SerialNumber: z.string().optional(),
  TokenCode: z.string().optional(),
  ExternalId: z.string().optional(),
});

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

function validation(message: string): SandboxError {
  return new SandboxError('ValidationError', `1 validation error detected: ${message}`);
}

/**
 * STS for profiles that assume a role (with or without MFA): AssumeRole hands out temporary credentials
 * (registered with the Sandbox's credential book, so calls signed with them are verified), and
 * GetCallerIdentity answers for whichever credentials sign the call — an assumed role's session, a
 * builder's instance-role session, otherwise the account's sandbox user.
 */
export class StsService {
  /** An AssumeRole session's user id, by access key. */
  private readonly userIds = new Map<string, string>();

  constructor(
    private readonly accountId: string,
    private readonly ids: IdGenerator,
    private readonly book: CredentialBook,
  ) {}

  handle(action: string, tree: QueryTree, caller: CallerScope, now: number): { [key: string]: XmlValue } {
    if (action === 'GetCallerIdentity') return this.callerIdentity(caller);
    return this.assumeRole(tree, now);
  }

  private callerIdentity(caller: CallerScope): { [key: string]: XmlValue } {
    const principal = caller.principal;
    const account = /^arn:aws[a-z-]*:(?:sts|iam)::(\d{12}):/.exec(principal.arn)?.[1] ?? this.accountId;
    if (principal.kind === 'assumed-role')
      return { UserId: this.userIds.get(caller.accessKeyId) ?? '', Account: account, Arn: principal.arn };
    if (principal.kind === 'instance-role') {
      const roleId = `AROA${principal.role
        .toUpperCase()
        .replace(/[^A-Z0-9]/g, '')
        .padEnd(17, '0')
        .slice(0, 17)}`;
      return { UserId: `${roleId}:${principal.instanceId}`, Account: account, Arn: principal.arn };
    }
    return {
      UserId: 'AIDASANDBOXUSER00000',
      Account: this.accountId,
      Arn: `arn:aws:iam::${this.accountId}:user/sandbox`,
    };
  }

  private assumeRole(tree: QueryTree, now: number): { [key: string]: XmlValue } {
    const p = parseParams(AssumeRoleSchema, tree);
    const role = ROLE_ARN.exec(p.RoleArn ?? '');
    if (!p.RoleArn)
      throw validation("Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
    if (!role)
      throw validation(
        `Value '${p.RoleArn}' at 'roleArn' failed to satisfy constraint: Member must be a valid IAM role ARN`,
      );
    const sessionName = p.RoleSessionName ?? '';
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw validation(
        `Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}`,
      );
    }
    const duration = p.DurationSeconds ?? 3600;
    if (duration < 900 || duration > 43200) {
      throw validation(
        `Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`,
      );
    }
    if (p.SerialNumber !== undefined) {
      if (p.TokenCode === undefined)
        throw new SandboxError(
          'AccessDenied',
          'MultiFactorAuthentication failed, unable to validate MFA code.',
        );
      if (!/^\d{6}$/.test(p.TokenCode)) {
        throw validation(
          `Value '${p.TokenCode}' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]{6}`,
        );
      }
    } else if (p.TokenCode !== undefined) {
      throw new SandboxError('AccessDenied', 'TokenCode was given without SerialNumber.');
    }
    const [, account, roleName] = role;
    const accessKeyId = `ASIA${this.ids.token('sts-key', 16)}`;
    const roleId = `AROA${this.ids.token('sts-role', 17)}`;
    const arn = `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
    const userId = `${roleId}:${sessionName}`;
    const secretAccessKey = this.ids.nextHex('sts-secret').slice(0, 40);
    const sessionToken = Buffer.from(
      this.ids.nextHex('sts-token') + this.ids.nextHex('sts-token'),
      'hex',
    ).toString('base64');
    const expiresAt = now + duration * 1000;
    this.userIds.set(accessKeyId, userId);
    // No expiry in the book: the SDK refreshes these by its wall clock, while the Sandbox's may be simulated.
    this.book.add({ accessKeyId, secretAccessKey, sessionToken, principal: { kind: 'assumed-role', arn } });
    return {
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: secretAccessKey,
        SessionToken: sessionToken,
        Expiration: isoTime(expiresAt),
      },
      AssumedRoleUser: { AssumedRoleId: userId, Arn: arn },
    };
  }

  reset(): void {
    this.userIds.clear();
  }
}
