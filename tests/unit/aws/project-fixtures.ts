import { ProjectSchema, type Project, type ProjectInput } from '../../../src/shared/project';

/** A valid project, Amazon Linux 2023 through its SSM alias unless overridden. */
export function project(overrides: Partial<ProjectInput> = {}): Project {
  return ProjectSchema.parse({
    name: 'web',
    baseImage: {
      kind: 'ssm',
      parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    },
    initScript: '#!/bin/sh\necho hello\n',
    ...overrides,
  });
}
