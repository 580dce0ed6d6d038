import { z } from 'zod';
import type { IdGenerator } from '../ids';
import type { CallerScope } from '../wire/auth';
import { SandboxError } from '../wire/errors';
import { parseParams, qInt, type QueryTree } from '../wire/query';
import { isoTime, type XmlValue } from '../wire/xml';

export const STS_ACTIONS: ReadonlySet<string> = new Set(['GetCallerIdentity', 'AssumeRole']);

interface Session {
  account: string;
  arn: string;
  userId: string;
}

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
 * STS for profiles that assume a role (with or without MFA): AssumeRole hands out temporary credentials,
 * and GetCallerIdentity answers for whichever credentials sign the call — the assumed role's session
 * when they are ones AssumeRole issued, otherwise the account's sandbox user.
 */
export class StsService {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly accountId: string,
    private readonly ids: IdGenerator,
  ) {}

  handle(action: string, tree: QueryTree, caller: CallerScope, now: number): { [key: string]: XmlValue } {
    if (action === 'GetCallerIdentity') return this.callerIdentity(caller);
    return this.assumeRole(tree, now);
  }

  private callerIdentity(caller: CallerScope): { [key: string]: XmlValue } {
    const session = this.sessions.get(caller.accessKeyId);
    if (session) return { UserId: session.userId, Account: session.account, Arn: session.arn };
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
    const session: Session = {
      account: account!,
      arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
      userId: `${roleId}:${sessionName}`,
    };
    this.sessions.set(accessKeyId, session);
    return {
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: this.ids.nextHex('sts-secret').slice(0, 40),
        SessionToken: Buffer.from(
          this.ids.nextHex('sts-token') + this.ids.nextHex('sts-token'),
          'hex',
        ).toString('base64'),
        Expiration: isoTime(now + duration * 1000),
      },
      AssumedRoleUser: { AssumedRoleId: session.userId, Arn: session.arn },
    };
  }

  reset(): void {
    this.sessions.clear();
  }
}
