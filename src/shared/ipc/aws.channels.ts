export const AWS_INVOKE = [
  'aws:profiles',
  'aws:identity',
  'aws:check-permissions',
  'aws:policy',
  'aws:mfa-answer',
  'aws:search-images',
  'aws:list-aliases',
  'aws:preview-image',
  'aws:list-instance-types',
  'aws:list-vpcs',
  'aws:list-subnets',
  'aws:list-security-groups',
  'aws:list-key-pairs',
  'aws:put-secure-parameter',
] as const;
export const AWS_EVENTS = ['aws:mfa-request'] as const;
