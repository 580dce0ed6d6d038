import type { QueryService } from '../wire/service';
import { stsDocument, stsErrorDocument } from '../wire/xml';
import { STS_ACTIONS } from './service';

export const STS_SERVICE: QueryService = {
  protocol: 'query',
  name: 'sts',
  version: '2011-06-15',
  signingName: 'sts',
  has: (action) => STS_ACTIONS.has(action),
  handle: (core, action, tree, caller, requestId) =>
    stsDocument(action, requestId, core.sts.handle(action, tree, caller, core.clock.now())),
  errorDocument: (error, requestId) =>
    stsErrorDocument(error.status >= 500 ? 'Receiver' : 'Sender', error.code, error.message, requestId),
};
