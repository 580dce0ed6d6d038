import type { JsonService } from '../wire/service';
import { SSM_ACTIONS } from './actions';

/**
 * SSM Parameter Store (JSON 1.1): the public AMI alias parameters, and the account's own parameters per
 * region — String, StringList and SecureString (labelled with a KMS key, never encrypted; reading one
 * decrypted takes the caller's kms:Decrypt on a customer managed key), the `aws:ec2:image` data type
 * validated asynchronously against the region's images, versions and history, and the caller's
 * permissions (a builder's instance-role session reads only what its role allows).
 */
export const SSM_SERVICE: JsonService = {
  protocol: 'json',
  name: 'ssm',
  targetPrefix: 'AmazonSSM',
  contentType: 'application/x-amz-json-1.1',
  has: (action) => Object.hasOwn(SSM_ACTIONS, action),
  handle: (core, action, body, caller) =>
    SSM_ACTIONS[action]!(core.ssmContext(caller.region, caller.principal), body),
};
