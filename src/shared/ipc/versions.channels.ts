export const VERSIONS_INVOKE = ['versions:list', 'versions:get', 'versions:count'] as const;
