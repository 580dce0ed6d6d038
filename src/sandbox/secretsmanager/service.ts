import type { JsonService } from '../wire/service';
import { SECRETS_MANAGER_ACTIONS } from './actions';

/**
 * AWS Secrets Manager (JSON 1.1, target prefix `secretsmanager`): CreateSecret, PutSecretValue,
 * GetSecretValue and DescribeSecret, with staging labels, KMS keys and the caller's permissions (a
 * builder's instance-role session reads only what its role allows, and a customer managed key also needs
 * its kms:Decrypt). Rotation, replication, resource policies and deletion are not modelled.
 */
export const SECRETS_MANAGER_SERVICE: JsonService = {
  protocol: 'json',
  name: 'secretsmanager',
  targetPrefix: 'secretsmanager',
  contentType: 'application/x-amz-json-1.1',
  has: (action) => Object.hasOwn(SECRETS_MANAGER_ACTIONS, action),
  handle: (core, action, body, caller) =>
    SECRETS_MANAGER_ACTIONS[action]!(
      {
        now: core.clock.now(),
        region: caller.region,
        accountId: core.accountId,
        store: core.secrets(caller.region),
        kms: core.kms(caller.region),
        iam: core.iam,
        principal: caller.principal,
        ids: core.ids,
      },
      body,
    ),
};
