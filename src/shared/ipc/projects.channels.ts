export const PROJECTS_INVOKE = [
  'projects:list',
  'projects:get',
  'projects:create',
  'projects:save',
  'projects:rename',
  'projects:duplicate',
  'projects:delete',
  'projects:import',
  'projects:export',
  'projects:measure-script',
] as const;
export const PROJECTS_EVENTS = ['projects:changed'] as const;
