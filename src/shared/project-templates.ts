import type { ProjectInput } from './project';

/**
 * Starting points for "New project". Each is a complete, bakeable project apart from its name; they follow
 * the files in examples/ and use public SSM aliases, so they bake on today's release in any region.
 */
export interface ProjectTemplate {
  id: 'al2023-nginx' | 'ubuntu-docker' | 'blank';
  label: string;
  description: string;
  /** The suggested project name. */
  suggestedName: string;
  project: Omit<ProjectInput, 'name'>;
}

const AL2023_X86 = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
const UBUNTU_2404_AMD64 =
  '/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id';

export const PROJECT_TEMPLATES: readonly ProjectTemplate[] = [
  {
    id: 'al2023-nginx',
    label: 'Amazon Linux 2023 + nginx',
    description: 'The latest Amazon Linux 2023 with nginx installed, serving a page and enabled at boot.',
    suggestedName: 'nginx-al2023',
    project: {
      description: 'Amazon Linux 2023 with nginx enabled at boot.',
      baseImage: { kind: 'ssm', parameter: AL2023_X86 },
      instanceType: 't3.micro',
      initScript: [
        '#!/bin/bash',
        'set -euo pipefail',
        'echo "installing nginx"',
        'dnf install -y nginx',
        'echo "<h1>Baked by Quadraxis</h1>" > /usr/share/nginx/html/index.html',
        'systemctl enable nginx',
        'echo "nginx ready"',
        '',
      ].join('\n'),
      tags: { team: 'web' },
    },
  },
  {
    id: 'ubuntu-docker',
    label: 'Ubuntu 24.04 + Docker',
    description: 'The latest Ubuntu 24.04 LTS with Docker Engine from Ubuntu’s archive, enabled at boot.',
    suggestedName: 'docker-ubuntu',
    project: {
      description: 'Ubuntu 24.04 LTS with Docker installed and enabled.',
      baseImage: { kind: 'ssm', parameter: UBUNTU_2404_AMD64 },
      instanceType: 't3.small',
      rootVolume: { sizeGiB: 16, type: 'gp3' },
      env: { DEBIAN_FRONTEND: 'noninteractive' },
      initScript: [
        '#!/bin/bash',
        'set -euo pipefail',
        'echo "installing docker"',
        'apt-get update -y',
        'apt-get install -y docker.io',
        'systemctl enable docker',
        'usermod -aG docker ubuntu',
        'echo "docker ready"',
        '',
      ].join('\n'),
    },
  },
  {
    id: 'blank',
    label: 'Blank',
    description: 'Amazon Linux 2023 and an empty bash script: bring your own steps.',
    suggestedName: 'my-image',
    project: {
      baseImage: { kind: 'ssm', parameter: AL2023_X86 },
      instanceType: 't3.micro',
      initScript: [
        '#!/bin/bash',
        'set -euo pipefail',
        '# Runs once, as root, on the builder. The image is taken when it exits 0.',
        '',
      ].join('\n'),
    },
  },
];

/** A new project from a template; `scriptTimeoutMinutes` is the app's default from Settings. */
export function projectFromTemplate(
  template: ProjectTemplate,
  name: string,
  defaults: { scriptTimeoutMinutes?: number } = {},
): ProjectInput {
  const project: ProjectInput = { ...structuredClone(template.project), name };
  if (defaults.scriptTimeoutMinutes === undefined) return project;
  return {
    ...project,
    completion: { mode: 'wrapper', timeoutMinutes: defaults.scriptTimeoutMinutes, cloudInitClean: true },
  };
}
