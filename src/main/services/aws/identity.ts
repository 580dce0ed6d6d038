import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { CallerIdentitySchema, type CallerIdentity } from '../../../shared/aws';
import { AppError } from '../../../shared/result';
import type { AwsClients } from './clients';
import { targetContext, toAppError } from './errors';

/** Who the target's credentials are: STS GetCallerIdentity, which needs no permission at all. */
export async function getCallerIdentity(clients: AwsClients, signal?: AbortSignal): Promise<CallerIdentity> {
  let reply: unknown;
  try {
    reply = await clients.sts.send(new GetCallerIdentityCommand({}), signal ? { abortSignal: signal } : {});
  } catch (error) {
    throw toAppError(error, targetContext(clients.target));
  }
  const parsed = CallerIdentitySchema.safeParse({
    account: (reply as { Account?: unknown }).Account,
    arn: (reply as { Arn?: unknown }).Arn,
    userId: (reply as { UserId?: unknown }).UserId,
  });
  if (!parsed.success)
    throw new AppError('AWS_ERROR', 'STS GetCallerIdentity answered without an account or ARN.');
  return parsed.data;
}
