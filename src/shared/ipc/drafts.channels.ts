export const DRAFTS_INVOKE = ['drafts:get', 'drafts:save', 'drafts:clear'] as const;
