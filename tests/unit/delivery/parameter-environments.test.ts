import { describe, expect, it } from 'vitest';
import { parameterName, parameterNames } from '../../../src/main/services/delivery/plan';
import { ProjectSchema, type ProjectInput } from '../../../src/shared/project';
import { describeZodError } from '../../../src/shared/result';

/** One published parameter per environment: what the project file may say, and what each bake publishes. */
const base: ProjectInput = {
  name: 'web',
  baseImage: { kind: 'id', imageId: 'ami-0123456789abcdef0' },
  initScript: '#!/bin/sh\necho hello\n',
};
const environments = { dev: { env: { STAGE: 'dev' } }, prod: { env: { STAGE: 'prod' } } };

const problems = (input: ProjectInput) => {
  const parsed = ProjectSchema.safeParse(input);
  return parsed.success ? '' : describeZodError(parsed.error);
};

describe('a project with environments and a published parameter', () => {
  it('is refused while one name would serve every environment, with words that say why and what to write', () => {
    expect(
      problems({ ...base, environments, distribution: { ssmParameter: '/images/{project}/latest' } }),
    ).toBe(
      'distribution.ssmParameter: The project has environments (dev, prod), so a bake of dev would overwrite the image id prod reads. Put {environment} in the name, e.g. /images/{project}/{environment}/latest.',
    );
    expect(
      problems({
        ...base,
        environments: { prod: { env: {} } },
        distribution: { ssmParameter: '/golden-ami' },
      }),
    ).toBe(
      "distribution.ssmParameter: The project has environments (prod), so a bake of prod and a bake of the project's own values would overwrite each other's image id. Put {environment} in the name, e.g. /{environment}/golden-ami.",
    );
  });

  it('is accepted with {environment}; without environments one name is still fine', () => {
    expect(
      problems({
        ...base,
        environments,
        distribution: { ssmParameter: '/images/{project}/{environment}/latest' },
      }),
    ).toBe('');
    expect(problems({ ...base, distribution: { ssmParameter: '/images/{project}/latest' } })).toBe('');
    expect(problems({ ...base, environments })).toBe('');
  });

  it('refuses an environment named default, whose parameter a bake of the own values publishes', () => {
    expect(
      problems({
        ...base,
        environments: { default: { env: {} } },
        distribution: { ssmParameter: '/images/{project}/{environment}/latest' },
      }),
    ).toBe(
      "environments.default: An environment named default would publish to the same parameter as a bake of the project's own values ({environment} is default for those). Give it another name.",
    );
  });

  it('expands {environment} to the bake’s environment, or default; lists every expansion once', () => {
    expect(parameterName('/images/{project}/{environment}/latest', 'web', 'prod')).toBe(
      '/images/web/prod/latest',
    );
    expect(parameterName('/images/{project}/{environment}/latest', 'web', undefined)).toBe(
      '/images/web/default/latest',
    );
    const project = ProjectSchema.parse({
      ...base,
      environments,
      distribution: { ssmParameter: '/images/{project}/{environment}/latest' },
    });
    expect(parameterNames(project)).toEqual([
      '/images/web/default/latest',
      '/images/web/dev/latest',
      '/images/web/prod/latest',
    ]);
    expect(
      parameterNames({ ...project, distribution: { ...project.distribution!, ssmParameter: '/one' } }),
    ).toEqual(['/one']);
    expect(parameterNames({ ...project, distribution: undefined })).toEqual([]);
  });
});
