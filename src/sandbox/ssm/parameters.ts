import { z } from 'zod';
import { imageForSsmParameter } from '../catalogue/base-images';
import { stableId } from '../ids';
import { SandboxError } from '../wire/errors';

/**
 * SSM (JSON 1.1) as far as AMI aliases go: GetParameter and GetParameters for the public parameters that
 * name the newest Amazon Linux, Ubuntu and Debian images of the caller's region.
 */
export const SSM_ACTIONS = new Set(['GetParameter', 'GetParameters']);

const GetParameterSchema = z.object({
  Name: z.string().min(1).max(2048),
  WithDecryption: z.boolean().optional(),
});
const GetParametersSchema = z.object({
  Names: z.array(z.string().min(1)).min(1).max(10),
  WithDecryption: z.boolean().optional(),
});

function parameter(name: string, region: string) {
  const image = imageForSsmParameter(name);
  if (!image) return undefined;
  return {
    Name: name,
    Type: 'String',
    Value: stableId('ami', region, image.name),
    Version: 1,
    LastModifiedDate: Date.parse(image.creationDate) / 1000,
    ARN: `arn:aws:ssm:${region}::parameter${name}`,
    DataType: 'text',
  };
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new SandboxError(
      'ValidationException',
      `1 validation error detected: ${result.error.issues[0]?.message ?? 'invalid request'}`,
    );
  }
  return result.data;
}

export function handleSsm(action: string, body: unknown, region: string): unknown {
  if (action === 'GetParameter') {
    const { Name } = parse(GetParameterSchema, body);
    const found = parameter(Name, region);
    if (!found) throw new SandboxError('ParameterNotFound', `Parameter ${Name} not found.`);
    return { Parameter: found };
  }
  const { Names } = parse(GetParametersSchema, body);
  const found = Names.map((n) => parameter(n, region));
  return {
    Parameters: found.filter((p) => p !== undefined),
    InvalidParameters: Names.filter((_, i) => found[i] === undefined),
  };
}
