import type { ProjectInput } from '../../../src/shared/project';

export function sampleProject(name: string, initScript = '#!/bin/bash\necho hello\n'): ProjectInput {
  return {
    name,
    baseImage: {
      kind: 'ssm',
      parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    },
    instanceType: 't3.micro',
    initScript,
  };
}
