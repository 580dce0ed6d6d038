export const LIFECYCLE_INVOKE = ['lifecycle:plan', 'lifecycle:prune'] as const;
export const LIFECYCLE_EVENTS = ['lifecycle:progress'] as const;
