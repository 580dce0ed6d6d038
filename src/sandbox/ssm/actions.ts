import { z } from 'zod';
import { authorize, decide, denialMessage } from '../iam/authorize';
import { keyNotFound } from '../kms/service';
import { SandboxError } from '../wire/errors';
import { parseJsonInput } from '../wire/json-input';
import type { ParameterType, ParameterVersion } from './store';
import {
  type Handler,
  VALUE_LIMIT,
  validation,
  checkName,
  arn,
  shown,
  allow,
  settle,
  selector,
  read,
  notFound,
} from './access';

const GetParameterSchema = z.object({
  Name: z.string().min(1).max(2048),
  WithDecryption: z.boolean().optional(),
});
const GetParametersSchema = z.object({
  Names: z.array(z.string().min(1)).min(1).max(10),
  WithDecryption: z.boolean().optional(),
});
const PutParameterSchema = z.object({
  Name: z.string().min(1).max(2048),
  Value: z.string().min(1),
  Type: z.enum(['String', 'StringList', 'SecureString']).optional(),
  Description: z.string().max(1024).optional(),
  KeyId: z.string().min(1).max(256).optional(),
  Overwrite: z.boolean().optional(),
  AllowedPattern: z.string().max(1024).optional(),
  Tier: z.enum(['Standard', 'Advanced', 'Intelligent-Tiering']).optional(),
  DataType: z.string().min(0).max(128).optional(),
  Tags: z.array(z.object({ Key: z.string(), Value: z.string() })).optional(),
});
const DeleteParameterSchema = z.object({ Name: z.string().min(1).max(2048) });
const HistorySchema = z.object({
  Name: z.string().min(1).max(2048),
  WithDecryption: z.boolean().optional(),
  MaxResults: z.number().int().min(1).max(50).optional(),
  NextToken: z.string().optional(),
});

const getParameter: Handler = (ctx, body) => {
  const { Name, WithDecryption } = parseJsonInput(GetParameterSchema, body);
  allow(ctx, 'GetParameter', selector(Name).name);
  settle(ctx);
  const found = read(ctx, Name, WithDecryption === true);
  if (!found) {
    const { name, version } = selector(Name);
    if (version !== undefined && ctx.store.parameters.has(name))
      throw new SandboxError(
        'ParameterVersionNotFound',
        `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`,
      );
    throw notFound(Name);
  }
  return { Parameter: found };
};

const getParameters: Handler = (ctx, body) => {
  const { Names, WithDecryption } = parseJsonInput(GetParametersSchema, body);
  // One name the caller may not read refuses the whole call, as IAM does.
  for (const name of Names) allow(ctx, 'GetParameters', selector(name).name);
  settle(ctx);
  const found = Names.map((n) => read(ctx, n, WithDecryption === true));
  return {
    Parameters: found.filter((p) => p !== undefined),
    InvalidParameters: Names.filter((_, i) => found[i] === undefined),
  };
};

const putParameter: Handler = (ctx, body) => {
  const p = parseJsonInput(PutParameterSchema, body);
  checkName(p.Name);
  allow(ctx, 'PutParameter', p.Name);
  settle(ctx);
  const existing = ctx.store.latest(p.Name);
  if (existing && p.Overwrite !== true)
    throw new SandboxError(
      'ParameterAlreadyExists',
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    );
  const type: ParameterType | undefined = p.Type ?? existing?.type;
  if (!type) throw validation('A parameter type is required when you create a parameter.');
  const dataType = p.DataType || existing?.dataType || 'text';
  if (dataType !== 'text' && dataType !== 'aws:ec2:image')
    throw validation(
      `The following data type is not supported: ${dataType} (supported data types are: [aws:ssm:integration, aws:ec2:image, text])`,
    );
  if (existing && existing.dataType !== dataType)
    throw validation(
      `You can't change the data type of a parameter from ${existing.dataType} to ${dataType}.`,
    );
  if (dataType === 'aws:ec2:image' && type !== 'String')
    throw validation('Parameters of data type aws:ec2:image must be of type String.');
  if (p.Value.length > VALUE_LIMIT && (p.Tier ?? 'Standard') === 'Standard')
    throw validation(
      `Standard tier parameters support a maximum parameter value of ${VALUE_LIMIT} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.`,
    );
  if (p.AllowedPattern !== undefined && !new RegExp(p.AllowedPattern).test(p.Value))
    throw new SandboxError(
      'ParameterPatternMismatchException',
      `Parameter value, cannot be validated against allowedPattern: ${p.AllowedPattern}`,
    );
  let keyId: string | undefined;
  if (type === 'SecureString') {
    const identifier = p.KeyId ?? existing?.keyId ?? 'alias/aws/ssm';
    const key = ctx.kms.resolve(identifier);
    if (!key) {
      const cause = keyNotFound(ctx.kms, identifier);
      throw new SandboxError(
        'InvalidKeyId',
        `${cause.message} (Service: AWSKMS; Status Code: 400; Error Code: NotFoundException)`,
      );
    }
    if (key.state !== 'Enabled')
      throw new SandboxError(
        'InvalidKeyId',
        `${key.arn} is ${key.state.toLowerCase()}. (Service: AWSKMS; Status Code: 400; Error Code: ${key.state === 'Disabled' ? 'DisabledException' : 'KMSInvalidStateException'})`,
      );
    if (key.keyManager === 'CUSTOMER') {
      const context = {
        'kms:ViaService': [`ssm.${ctx.region}.amazonaws.com`],
        'kms:EncryptionContext:PARAMETER_ARN': [arn(ctx, p.Name)],
      };
      const decision = decide(ctx.iam, ctx.principal, 'kms:Encrypt', key.arn, context);
      if (decision !== 'allowed')
        throw new SandboxError(
          'AccessDeniedException',
          `${denialMessage(ctx.principal, 'kms:Encrypt', key.arn, decision)} (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException)`,
        );
    }
    keyId = key.arn;
  } else if (p.KeyId !== undefined) {
    throw validation('KeyId is only supported for parameters of type SecureString.');
  }
  const version: ParameterVersion = {
    version: ctx.store.nextVersion(p.Name),
    value: p.Value,
    type,
    dataType: dataType,
    ...(keyId ? { keyId } : {}),
    ...((p.Description ?? existing?.description) !== undefined
      ? { description: p.Description ?? existing?.description }
      : {}),
    modifiedAt: ctx.now,
    modifiedBy: `arn:aws:iam::${ctx.accountId}:user/sandbox`,
  };
  if (dataType === 'aws:ec2:image') {
    // Answered at once; the value appears only if the validation that runs afterwards accepts it.
    ctx.store.pending.push({ name: p.Name, settlesAt: ctx.now + ctx.imageValidationMs, put: version });
  } else {
    ctx.store.write(p.Name, version);
  }
  return { Version: version.version, Tier: 'Standard' };
};

const deleteParameter: Handler = (ctx, body) => {
  const { Name } = parseJsonInput(DeleteParameterSchema, body);
  allow(ctx, 'DeleteParameter', Name);
  settle(ctx);
  if (!ctx.store.delete(Name)) throw notFound(Name);
  return {};
};

const getParameterHistory: Handler = (ctx, body) => {
  const p = parseJsonInput(HistorySchema, body);
  allow(ctx, 'GetParameterHistory', p.Name);
  settle(ctx);
  const record = ctx.store.parameters.get(p.Name);
  if (!record) throw notFound(p.Name);
  const offset = p.NextToken ? Number(Buffer.from(p.NextToken, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(offset) || offset < 0)
    throw new SandboxError('InvalidNextToken', 'The specified token is not valid.');
  const limit = p.MaxResults ?? 50;
  const page = record.versions.slice(offset, offset + limit);
  const more = offset + limit < record.versions.length;
  return {
    Parameters: page.map((v) => ({
      Name: record.name,
      Type: v.type,
      ...(v.keyId ? { KeyId: v.keyId } : {}),
      LastModifiedDate: v.modifiedAt / 1000,
      LastModifiedUser: v.modifiedBy,
      ...(v.description !== undefined ? { Description: v.description } : {}),
      Value: shown(v, p.WithDecryption === true),
      Version: v.version,
      Labels: [],
      Tier: 'Standard',
      Policies: [],
      DataType: v.dataType,
    })),
    ...(more ? { NextToken: Buffer.from(String(offset + limit)).toString('base64url') } : {}),
  };
};

const FilterSchema = z.object({
  Key: z.string().min(1).max(132),
  Option: z.string().max(10).optional(),
  Values: z.array(z.string().min(1).max(1024)).min(1).max(50).optional(),
});
const DescribeParametersSchema = z.object({
  ParameterFilters: z.array(FilterSchema).max(50).optional(),
  Filters: z.array(z.object({ Key: z.string(), Values: z.array(z.string()).min(1) })).optional(),
  MaxResults: z.number().int().min(1).max(50).optional(),
  NextToken: z.string().optional(),
  Shared: z.boolean().optional(),
});

/**
 * Parameters' metadata (never their values): what a preflight asks to learn whether a referenced parameter
 * exists and which key protects it. Filters by Name (Equals, BeginsWith) and Type (Equals).
 */
const describeParameters: Handler = (ctx, body) => {
  const p = parseJsonInput(DescribeParametersSchema, body);
  authorize(ctx.iam, ctx.principal, 'ssm:DescribeParameters', `arn:aws:ssm:${ctx.region}:${ctx.accountId}:*`);
  settle(ctx);
  const filters = [
    ...(p.ParameterFilters ?? []),
    ...(p.Filters ?? []).map((f) => ({ Key: f.Key, Option: 'Equals', Values: f.Values })),
  ];
  for (const f of filters) {
    if (f.Key !== 'Name' && f.Key !== 'Type')
      throw new SandboxError(
        'InvalidFilterKey',
        `The Sandbox filters parameters by Name and Type only, not ${f.Key}.`,
      );
    const option = f.Option ?? 'Equals';
    if (option !== 'Equals' && !(f.Key === 'Name' && option === 'BeginsWith'))
      throw new SandboxError('InvalidFilterOption', `The filter option ${option} is not valid for ${f.Key}.`);
  }
  const records = [...ctx.store.parameters.values()]
    .filter((record) =>
      filters.every((f) => {
        const latest = record.versions.at(-1);
        const field = f.Key === 'Name' ? record.name : (latest?.type ?? '');
        // Parameter Store compares names with and without their leading slash alike.
        const norm = (n: string) => (f.Key === 'Name' ? n.replace(/^\//, '') : n);
        return (f.Values ?? []).some((v) =>
          f.Option === 'BeginsWith' ? norm(field).startsWith(norm(v)) : norm(field) === norm(v),
        );
      }),
    )
    .sort((a, b) => a.name.localeCompare(b.name));
  const offset = p.NextToken ? Number(Buffer.from(p.NextToken, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(offset) || offset < 0)
    throw new SandboxError('InvalidNextToken', 'The specified token is not valid.');
  const limit = p.MaxResults ?? 50;
  const page = records.slice(offset, offset + limit);
  return {
    Parameters: page.map((record) => {
      const v = record.versions.at(-1)!;
      return {
        Name: record.name,
        ARN: arn(ctx, record.name),
        Type: v.type,
        ...(v.keyId ? { KeyId: v.keyId } : {}),
        LastModifiedDate: v.modifiedAt / 1000,
        LastModifiedUser: v.modifiedBy,
        ...(v.description !== undefined ? { Description: v.description } : {}),
        Version: v.version,
        Tier: 'Standard',
        Policies: [],
        DataType: v.dataType,
      };
    }),
    ...(offset + limit < records.length
      ? { NextToken: Buffer.from(String(offset + limit)).toString('base64url') }
      : {}),
  };
};

export const SSM_ACTIONS: Readonly<Record<string, Handler>> = {
  DescribeParameters: describeParameters,
  GetParameter: getParameter,
  GetParameters: getParameters,
  PutParameter: putParameter,
  DeleteParameter: deleteParameter,
  GetParameterHistory: getParameterHistory,
};
