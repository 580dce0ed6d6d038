export const DEPLOY_INVOKE = [
  'deploy:targets',
  'deploy:preview',
  'deploy:start',
  'deploy:cancel',
  'deploy:rollback',
  'deploy:get',
  'deploy:list',
] as const;
export const DEPLOY_EVENTS = ['deploy:event'] as const;
