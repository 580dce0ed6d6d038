export const BAKE_INVOKE = [
  'bake:start',
  'bake:cancel',
  'bake:get',
  'bake:list',
  'bake:console',
  'bake:watch',
  'bake:get-defaults',
] as const;
export const BAKE_EVENTS = ['bake:event', 'bake:changed'] as const;
