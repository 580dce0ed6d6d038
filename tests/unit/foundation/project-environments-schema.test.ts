import { describe, expect, it } from 'vitest';
import { deployTargetsFor } from '../../../src/shared/environments';
import { ProjectSchema, type ProjectInput } from '../../../src/shared/project';

const base: ProjectInput = {
  name: 'web',
  baseImage: { kind: 'id', imageId: 'ami-0123456789abcdef0' },
  initScript: '#!/bin/sh\necho hi\n',
  environments: { dev: { env: { APP_MODE: 'dev' } }, prod: { env: { APP_MODE: 'prod' } } },
};

describe('a project’s environments, as the schema checks them', () => {
  it('a bake rolls out only to the groups meant for its environment', () => {
    const project = ProjectSchema.parse({
      ...base,
      deploy: {
        targets: [
          { group: 'web-prod', environment: 'prod' },
          { group: 'web-dev', environment: 'dev' },
          { group: 'web' },
        ],
      },
    });
    expect(deployTargetsFor(project, 'prod').map((t) => t.group)).toEqual(['web-prod']);
    expect(deployTargetsFor(project, 'dev').map((t) => t.group)).toEqual(['web-dev']);
    expect(deployTargetsFor(project, undefined).map((t) => t.group)).toEqual(['web']);
    expect(deployTargetsFor({ deploy: undefined }, 'prod')).toEqual([]);
  });

  it('a target for an environment the project does not define is refused where it is written', () => {
    const result = ProjectSchema.safeParse({
      ...base,
      deploy: { targets: [{ group: 'web-stage', environment: 'staging' }] },
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues).toEqual([
      expect.objectContaining({
        path: ['deploy', 'targets', 0, 'environment'],
        message: 'There is no environment named staging (environments: dev, prod).',
      }),
    ]);
  });

  it('environments whose names differ only in case are refused: their webhook queues would be one file', () => {
    const result = ProjectSchema.safeParse({
      ...base,
      environments: { prod: { env: { APP_MODE: 'prod' } }, Prod: { env: { APP_MODE: 'other' } } },
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues).toEqual([
      expect.objectContaining({
        path: ['environments', 'Prod'],
        message: 'Environments prod and Prod differ only in case: give them names that differ otherwise.',
      }),
    ]);
  });
});
