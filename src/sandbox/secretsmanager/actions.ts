import { z } from 'zod';
import { authorize, decide } from '../iam/authorize';
import type { Principal } from '../iam/credentials';
import type { IamWorld } from '../iam/world';
import type { IdGenerator } from '../ids';
import type { KmsRegion } from '../kms/keys';
import { keyNotFound } from '../kms/service';
import { SandboxError } from '../wire/errors';
import { parseJsonInput } from '../wire/json-input';
import type { SecretRecord, SecretsRegion, SecretVersion } from './store';

/** What a Secrets Manager action works with: the caller's region and who the caller is. */
export interface SecretsContext {
  now: number;
  region: string;
  accountId: string;
  store: SecretsRegion;
  kms: KmsRegion;
  iam: IamWorld;
  principal: Principal;
  ids: IdGenerator;
}

type Handler = (ctx: SecretsContext, body: unknown) => unknown;

const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const VALUE_LIMIT = 65_536;
const SecretIdSchema = z.string().min(1).max(2048);
const TokenSchema = z.string().min(32).max(64);

function notFound(): SandboxError {
  return new SandboxError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
}

function invalidParameter(message: string): SandboxError {
  return new SandboxError('InvalidParameterException', message);
}

/** The caller may make `action` on the secret `id` names (checked before whether it exists, as IAM is). */
function allowed(ctx: SecretsContext, action: string, id: string): SecretRecord {
  authorize(ctx.iam, ctx.principal, `secretsmanager:${action}`, ctx.store.resourceArn(id));
  const secret = ctx.store.find(id);
  if (!secret) throw notFound();
  return secret;
}

function versionId(ctx: SecretsContext, token: string | undefined): string {
  if (token) return token;
  const h = ctx.ids.nextHex('secret-version');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The value of a Create or Put: exactly one of SecretString and SecretBinary. */
function value(p: { SecretString?: string | undefined; SecretBinary?: string | undefined }) {
  if (p.SecretString !== undefined && p.SecretBinary !== undefined)
    throw invalidParameter(
      'You can’t specify both a binary secret value and a string secret value in the same secret.',
    );
  if (p.SecretString !== undefined) {
    if (p.SecretString.length > VALUE_LIMIT)
      throw invalidParameter('The secret value is too large (64 KB at most).');
    return { secretString: p.SecretString };
  }
  if (p.SecretBinary !== undefined) return { secretBinary: Buffer.from(p.SecretBinary, 'base64') };
  return undefined;
}

/** A customer managed key's ARN, or undefined for the AWS managed alias/aws/secretsmanager. */
function keyArn(ctx: SecretsContext, identifier: string | undefined): string | undefined {
  if (identifier === undefined) return undefined;
  const key = ctx.kms.resolve(identifier);
  if (!key) throw new SandboxError('ResourceNotFoundException', keyNotFound(ctx.kms, identifier).message);
  if (key.keyManager === 'AWS') return undefined;
  if (key.state !== 'Enabled')
    throw new SandboxError('KMSInvalidStateException', `${key.arn} is ${key.state.toLowerCase()}.`);
  return key.arn;
}

/**
 * Reading the value needs the key too: a customer managed key by the caller's kms:Decrypt (through Secrets
 * Manager, for this secret), the AWS managed key by its own key policy (anyone in the account, through
 * Secrets Manager).
 */
function decrypt(ctx: SecretsContext, secret: SecretRecord, version: SecretVersion): void {
  if (!secret.kmsKeyId) return;
  const key = ctx.kms.resolve(secret.kmsKeyId);
  if (!key || key.state !== 'Enabled')
    throw new SandboxError(
      'DecryptionFailure',
      "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
    );
  const context = {
    'kms:ViaService': [`secretsmanager.${ctx.region}.amazonaws.com`],
    'kms:EncryptionContext:SecretARN': [secret.arn],
    'kms:EncryptionContext:SecretVersionId': [version.versionId],
  };
  if (decide(ctx.iam, ctx.principal, 'kms:Decrypt', key.arn, context) !== 'allowed')
    throw new SandboxError('AccessDeniedException', 'Access to KMS is not allowed');
}

const CreateSecretSchema = z.object({
  Name: z.string().min(1).max(512),
  ClientRequestToken: TokenSchema.optional(),
  Description: z.string().max(2048).optional(),
  KmsKeyId: z.string().min(1).max(2048).optional(),
  SecretString: z.string().optional(),
  SecretBinary: z.string().optional(),
  Tags: z.array(z.object({ Key: z.string(), Value: z.string() })).optional(),
  ForceOverwriteReplicaSecret: z.boolean().optional(),
});

const createSecret: Handler = (ctx, body) => {
  const p = parseJsonInput(CreateSecretSchema, body);
  if (!NAME.test(p.Name))
    throw new SandboxError(
      'ValidationException',
      'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
    );
  authorize(ctx.iam, ctx.principal, 'secretsmanager:CreateSecret', ctx.store.arnFor(p.Name));
  if (ctx.store.secrets.has(p.Name))
    throw new SandboxError(
      'ResourceExistsException',
      `The operation failed because the secret ${p.Name} already exists.`,
    );
  const kmsKeyId = keyArn(ctx, p.KmsKeyId);
  const secret: SecretRecord = {
    name: p.Name,
    arn: ctx.store.arnFor(p.Name),
    ...(p.Description !== undefined ? { description: p.Description } : {}),
    ...(kmsKeyId ? { kmsKeyId } : {}),
    createdAt: ctx.now,
    lastChangedAt: ctx.now,
    versions: [],
    tags: p.Tags ?? [],
  };
  const initial = value(p);
  ctx.store.secrets.set(p.Name, secret);
  if (!initial) return { ARN: secret.arn, Name: secret.name };
  const id = versionId(ctx, p.ClientRequestToken);
  ctx.store.addVersion(secret, { versionId: id, stages: ['AWSCURRENT'], createdAt: ctx.now, ...initial });
  return { ARN: secret.arn, Name: secret.name, VersionId: id };
};

const PutSecretValueSchema = z.object({
  SecretId: SecretIdSchema,
  ClientRequestToken: TokenSchema.optional(),
  SecretString: z.string().optional(),
  SecretBinary: z.string().optional(),
  VersionStages: z.array(z.string().min(1).max(256)).min(1).max(20).optional(),
});

const putSecretValue: Handler = (ctx, body) => {
  const p = parseJsonInput(PutSecretValueSchema, body);
  const secret = allowed(ctx, 'PutSecretValue', p.SecretId);
  const given = value(p);
  if (!given) throw invalidParameter('You must provide either SecretString or SecretBinary.');
  const id = versionId(ctx, p.ClientRequestToken);
  const existing = secret.versions.find((v) => v.versionId === id);
  const stages = p.VersionStages ?? ['AWSCURRENT'];
  if (existing) {
    // The same token again is the same request (a retry) only when it carries the same value.
    const same =
      existing.secretString === given.secretString &&
      (existing.secretBinary?.equals(given.secretBinary ?? Buffer.alloc(0)) ??
        given.secretBinary === undefined);
    if (!same)
      throw new SandboxError(
        'ResourceExistsException',
        'You can’t modify an existing version, you can only create new versions.',
      );
    return { ARN: secret.arn, Name: secret.name, VersionId: id, VersionStages: existing.stages };
  }
  ctx.store.addVersion(secret, { versionId: id, stages: [...stages], createdAt: ctx.now, ...given });
  return { ARN: secret.arn, Name: secret.name, VersionId: id, VersionStages: stages };
};

const GetSecretValueSchema = z.object({
  SecretId: SecretIdSchema,
  VersionId: z.string().min(32).max(64).optional(),
  VersionStage: z.string().min(1).max(256).optional(),
});

const getSecretValue: Handler = (ctx, body) => {
  const p = parseJsonInput(GetSecretValueSchema, body);
  const secret = allowed(ctx, 'GetSecretValue', p.SecretId);
  const version = p.VersionId
    ? secret.versions.find((v) => v.versionId === p.VersionId)
    : secret.versions.find((v) => v.stages.includes(p.VersionStage ?? 'AWSCURRENT'));
  if (!version || (p.VersionStage && !version.stages.includes(p.VersionStage)))
    throw new SandboxError(
      'ResourceNotFoundException',
      "Secrets Manager can't find the specified secret value for " +
        (p.VersionId ? `VersionId: ${p.VersionId}` : `staging label: ${p.VersionStage ?? 'AWSCURRENT'}`),
    );
  decrypt(ctx, secret, version);
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.versionId,
    ...(version.secretString !== undefined ? { SecretString: version.secretString } : {}),
    ...(version.secretBinary !== undefined ? { SecretBinary: version.secretBinary.toString('base64') } : {}),
    VersionStages: version.stages,
    CreatedDate: version.createdAt / 1000,
  };
};

const describeSecret: Handler = (ctx, body) => {
  const { SecretId } = parseJsonInput(z.object({ SecretId: SecretIdSchema }), body);
  const secret = allowed(ctx, 'DescribeSecret', SecretId);
  return {
    ARN: secret.arn,
    Name: secret.name,
    ...(secret.description !== undefined ? { Description: secret.description } : {}),
    ...(secret.kmsKeyId ? { KmsKeyId: secret.kmsKeyId } : {}),
    LastChangedDate: secret.lastChangedAt / 1000,
    CreatedDate: secret.createdAt / 1000,
    Tags: secret.tags,
    VersionIdsToStages: Object.fromEntries(
      secret.versions.filter((v) => v.stages.length > 0).map((v) => [v.versionId, v.stages]),
    ),
  };
};

export const SECRETS_MANAGER_ACTIONS: Readonly<Record<string, Handler>> = {
  CreateSecret: createSecret,
  PutSecretValue: putSecretValue,
  GetSecretValue: getSecretValue,
  DescribeSecret: describeSecret,
};
