import { createHash } from 'node:crypto';
import type { RegionState } from '../ec2/region-state';
import { authorize, decide, denialMessage } from '../iam/authorize';
import type { Principal } from '../iam/credentials';
import type { IamWorld } from '../iam/world';
import { imageState } from '../ec2/images';
import type { KmsRegion } from '../kms/keys';
import { SandboxError } from '../wire/errors';
import { isPublicParameterName, publicParameter } from './public-parameters';
import type { ParameterVersion, SsmRegion } from './store';

/*
 * What every SSM action shares: its context, reading and validating what it was sent, and who may see what
 * (the caller's allow list, kms:Decrypt for a SecureString).
 */

/** What an SSM action works with: the caller's region at this moment. */
export interface SsmContext {
  now: number;
  region: string;
  accountId: string;
  store: SsmRegion;
  kms: KmsRegion;
  /** The region's EC2 images, which `aws:ec2:image` values are validated against. */
  ec2: RegionState;
  /** How long Parameter Store takes to validate an `aws:ec2:image` value. */
  imageValidationMs: number;
  iam: IamWorld;
  /** Who calls: what they may read, write and decrypt. */
  principal: Principal;
}

export type Handler = (ctx: SsmContext, body: unknown) => unknown;

export const VALUE_LIMIT = 4096;
const NAME = /^[a-zA-Z0-9_.\-/]+$/;

export function validation(message: string): SandboxError {
  return new SandboxError('ValidationException', message);
}

/** Parameter Store's naming rules, in its own words. */
export function checkName(name: string): void {
  if (!NAME.test(name))
    throw validation(
      'Parameter name: can only include letters, numbers and the symbols . - _ and /, and cannot contain spaces.',
    );
  if (name.includes('/') && !name.startsWith('/'))
    throw validation('Parameter name must be a fully qualified name.');
  if (name.split('/').filter(Boolean).length > 15)
    throw new SandboxError(
      'HierarchyLevelLimitExceededException',
      'A hierarchy can have a maximum of 15 levels.',
    );
  if (/^\/?(aws|ssm)/i.test(name))
    throw validation(
      'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_',
    );
}

export function arn(ctx: SsmContext, name: string): string {
  return `arn:aws:ssm:${ctx.region}:${ctx.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
}

/** A SecureString read without decryption: an opaque blob, as KMS ciphertext is. */
function ciphertext(version: ParameterVersion): string {
  return Buffer.concat([
    Buffer.from([1, 2, 2, 0]),
    createHash('sha256')
      .update(`${version.keyId ?? ''}\0${version.value}`)
      .digest(),
  ]).toString('base64');
}

export function shown(version: ParameterVersion, decrypt: boolean): string {
  return version.type === 'SecureString' && !decrypt ? ciphertext(version) : version.value;
}

/** The caller may call `action` on the parameter `name` (a version selector is not part of the resource). */
export function allow(ctx: SsmContext, action: string, name: string): void {
  authorize(
    ctx.iam,
    ctx.principal,
    `ssm:${action}`,
    isPublicParameterName(name) ? publicArn(ctx, name) : arn(ctx, name),
  );
}

function publicArn(ctx: SsmContext, name: string): string {
  return `arn:aws:ssm:${ctx.region}::parameter${name}`;
}

/**
 * A SecureString read with decryption uses its key: a customer managed key by the caller's kms:Decrypt
 * (through SSM, for this parameter — the encryption context Parameter Store uses), the AWS managed key
 * alias/aws/ssm by its own key policy. A key someone disabled decrypts nothing.
 */
function checkDecrypt(ctx: SsmContext, name: string, version: ParameterVersion): void {
  if (version.type !== 'SecureString' || !version.keyId) return;
  const key = ctx.kms.resolve(version.keyId);
  if (!key || key.state !== 'Enabled')
    throw new SandboxError(
      'InvalidKeyId',
      `${version.keyId} is ${key ? key.state.toLowerCase() : 'not found'}. (Service: AWSKMS; Status Code: 400; Error Code: ${key?.state === 'Disabled' ? 'DisabledException' : 'NotFoundException'})`,
    );
  if (key.keyManager === 'AWS') return;
  const context = {
    'kms:ViaService': [`ssm.${ctx.region}.amazonaws.com`],
    'kms:EncryptionContext:PARAMETER_ARN': [arn(ctx, name)],
  };
  const decision = decide(ctx.iam, ctx.principal, 'kms:Decrypt', key.arn, context);
  if (decision !== 'allowed')
    throw new SandboxError(
      'AccessDeniedException',
      `${denialMessage(ctx.principal, 'kms:Decrypt', key.arn, decision)} (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException)`,
    );
}

/** How Parameter Store judges an `aws:ec2:image` value: an image this account can launch, in this region, available when the check ran. */
export function imageValueValidator(
  ec2: RegionState,
  accountId: string,
): (value: string, at: number) => boolean {
  return (value, at) => {
    const image = ec2.images.get(value);
    return (
      image !== undefined &&
      (image.ownerId === accountId || image.isPublic) &&
      imageState(image, at) === 'available'
    );
  };
}

export function settle(ctx: SsmContext): void {
  ctx.store.settle(ctx.now, imageValueValidator(ctx.ec2, ctx.accountId));
}

/** `name`, `name:3` (a version) — what GetParameter's Name may hold. */
export function selector(raw: string): { name: string; version?: number } {
  const match = /^(.*):(\d+)$/.exec(raw);
  return match ? { name: match[1]!, version: Number(match[2]) } : { name: raw };
}

export function read(ctx: SsmContext, raw: string, decrypt: boolean) {
  const { name, version } = selector(raw);
  if (isPublicParameterName(name))
    return version === undefined || version === 1 ? publicParameter(name, ctx.region) : undefined;
  const record = ctx.store.parameters.get(name);
  const found =
    version === undefined ? record?.versions.at(-1) : record?.versions.find((v) => v.version === version);
  if (!found) return undefined;
  if (decrypt) checkDecrypt(ctx, name, found);
  return {
    Name: name,
    Type: found.type,
    Value: shown(found, decrypt),
    Version: found.version,
    ...(version !== undefined ? { Selector: `:${version}` } : {}),
    LastModifiedDate: found.modifiedAt / 1000,
    ARN: arn(ctx, name),
    DataType: found.dataType,
  };
}

export function notFound(name: string): SandboxError {
  return new SandboxError('ParameterNotFound', `Parameter ${name} not found.`);
}
