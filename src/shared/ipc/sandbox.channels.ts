export const SANDBOX_INVOKE = ['sandbox:vm-check'] as const;
