import type { QueryService } from '../wire/service';
import { ec2Document, ec2ErrorDocument } from '../wire/xml';
import { EC2_ACTIONS } from './actions';

export const EC2_VERSION = '2016-11-15';

export const EC2_SERVICE: QueryService = {
  protocol: 'query',
  name: 'ec2',
  version: EC2_VERSION,
  signingName: 'ec2',
  ec2Rules: true,
  has: (action) => Object.hasOwn(EC2_ACTIONS, action),
  handle: (core, action, tree, caller, requestId) =>
    ec2Document(action, requestId, EC2_ACTIONS[action]!(core.ec2Context(caller.region), tree)),
  errorDocument: (error, requestId) => ec2ErrorDocument(error.code, error.message, requestId),
};
