import { z } from 'zod';
import { SandboxError } from '../wire/errors';
import type { JsonService } from '../wire/service';
import type { KeyRecord, KmsRegion } from './keys';

/**
 * KMS (JSON 1.1, `TrentService`) as far as images need it: DescribeKey — which tells a caller whether a key
 * exists in a region, is enabled, and whether it is AWS managed (an AMI encrypted with one cannot be shared)
 * — and ListAliases for pickers. Nothing is ever encrypted here: EC2 and SSM only record which key they would
 * have used.
 */
const KMS_ACTIONS = new Set(['DescribeKey', 'ListAliases']);

const DescribeKeySchema = z.object({
  KeyId: z.string().min(1).max(2048),
  GrantTokens: z.array(z.string()).optional(),
});
const ListAliasesSchema = z.object({
  KeyId: z.string().optional(),
  Limit: z.number().int().min(1).max(100).optional(),
  Marker: z.string().optional(),
});

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new SandboxError(
      'ValidationException',
      `1 validation error detected: Value at '${issue?.path.map(String).join('.') ?? ''}' failed to satisfy constraint: ${issue?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}

/** KMS's own words for an identifier that names nothing in this region. */
export function keyNotFound(kms: KmsRegion, identifier: string): SandboxError {
  if (identifier.startsWith('alias/'))
    return new SandboxError('NotFoundException', `Alias ${kms.aliasArn(identifier)} is not found.`);
  if (identifier.startsWith('arn:') && identifier.includes(':alias/'))
    return new SandboxError('NotFoundException', `Alias ${identifier} is not found.`);
  const arn = identifier.startsWith('arn:')
    ? identifier
    : `arn:aws:kms:${kms.region}:${kms.accountId}:key/${identifier}`;
  return new SandboxError('NotFoundException', `Key '${arn}' does not exist`);
}

export function keyMetadata(key: KeyRecord, accountId: string) {
  return {
    AWSAccountId: accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: key.createdAt / 1000,
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: key.state,
    Origin: 'AWS_KMS',
    KeyManager: key.keyManager,
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
  };
}

export const KMS_SERVICE: JsonService = {
  protocol: 'json',
  name: 'kms',
  targetPrefix: 'TrentService',
  contentType: 'application/x-amz-json-1.1',
  has: (action) => KMS_ACTIONS.has(action),
  handle: (core, action, body, caller) => {
    const kms = core.kms(caller.region);
    if (action === 'DescribeKey') {
      const { KeyId } = parse(DescribeKeySchema, body);
      const key = kms.resolve(KeyId);
      if (!key) throw keyNotFound(kms, KeyId);
      return { KeyMetadata: keyMetadata(key, core.accountId) };
    }
    const p = parse(ListAliasesSchema, body);
    const target = p.KeyId ? kms.resolve(p.KeyId) : undefined;
    if (p.KeyId && !target) throw keyNotFound(kms, p.KeyId);
    const all = [...kms.aliases.values()]
      .filter((a) => !target || a.keyId === target.keyId)
      .sort((a, b) => a.name.localeCompare(b.name));
    const offset = p.Marker ? Number.parseInt(Buffer.from(p.Marker, 'base64url').toString('utf8'), 10) : 0;
    if (!Number.isInteger(offset) || offset < 0)
      throw new SandboxError('InvalidMarkerException', 'The marker is not valid.');
    const limit = p.Limit ?? 50;
    const page = all.slice(offset, offset + limit);
    const more = offset + limit < all.length;
    return {
      Aliases: page.map((a) => ({
        AliasName: a.name,
        AliasArn: kms.aliasArn(a.name),
        TargetKeyId: a.keyId,
        CreationDate: a.createdAt / 1000,
        LastUpdatedDate: a.createdAt / 1000,
      })),
      Truncated: more,
      ...(more ? { NextMarker: Buffer.from(String(offset + limit)).toString('base64url') } : {}),
    };
  },
};
