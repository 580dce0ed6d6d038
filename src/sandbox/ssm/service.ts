import type { JsonService } from '../wire/service';
import { handleSsm, SSM_ACTIONS } from './parameters';

export const SSM_SERVICE: JsonService = {
  protocol: 'json',
  name: 'ssm',
  targetPrefix: 'AmazonSSM',
  contentType: 'application/x-amz-json-1.1',
  has: (action) => SSM_ACTIONS.has(action),
  handle: (_core, action, body, caller) => handleSsm(action, body, caller.region),
};
