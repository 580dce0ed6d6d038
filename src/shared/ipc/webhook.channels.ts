export const WEBHOOK_INVOKE = [
  'webhook:status',
  'webhook:triggers',
  'webhook:rotate',
  'webhook:deliveries',
  'webhook:set-profile',
] as const;
export const WEBHOOK_EVENTS = ['webhook:status-changed', 'webhook:delivery'] as const;
