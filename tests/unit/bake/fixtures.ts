import { ProjectSchema, type Project, type ProjectInput } from '../../../src/shared/project';

/** Kept apart from the harness so tests of pure pieces do not load the SDK, the sandbox and the store. */
export const REGION = 'eu-west-1';

export function project(more: Partial<ProjectInput> = {}): Project {
  return ProjectSchema.parse({
    name: 'web',
    baseImage: {
      kind: 'ssm',
      parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    },
    instanceType: 't3.micro',
    initScript: '#!/bin/sh\necho "installing"\nsleep 8\necho "ready"\n',
    env: { STAGE: 'test' },
    ...more,
  });
}
