import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { AppError } from '../../../shared/result';
import type { AwsClients } from './clients';

/**
 * Creates or updates a SecureString parameter (issue 18: "set a secret from the app"). The value goes
 * from the request straight into PutParameter and nowhere else: not into a log, an error, a file or the
 * answer. Errors are rebuilt from AWS's code and message, which never carry the value.
 */
export async function putSecureParameter(
  clients: Pick<AwsClients, 'ssm'>,
  request: { name: string; value: string; keyId?: string | undefined; description?: string | undefined },
): Promise<{ name: string; version: number; region: string; keyId: string }> {
  const keyId = request.keyId ?? 'alias/aws/ssm';
  try {
    const out = await clients.ssm.send(
      new PutParameterCommand({
        Name: request.name,
        Value: request.value,
        Type: 'SecureString',
        Overwrite: true,
        KeyId: keyId,
        ...(request.description ? { Description: request.description } : {}),
      }),
    );
    const region = await clients.ssm.config.region();
    return { name: request.name, version: out.Version ?? 0, region, keyId };
  } catch (error) {
    const code = (error as { name?: string }).name ?? 'Error';
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError(
      code === 'AccessDeniedException'
        ? 'ACCESS_DENIED'
        : code.includes('KeyId') || code === 'ValidationException'
          ? 'INVALID_INPUT'
          : 'AWS_ERROR',
      `PutParameter ${request.name}: ${code}: ${message}`,
      { awsCode: code },
    );
  }
}
