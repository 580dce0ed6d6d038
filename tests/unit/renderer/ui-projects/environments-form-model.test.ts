import type { ResolverOptions } from 'react-hook-form';
import { describe, expect, it } from 'vitest';
import {
  branchesMappedTo,
  effectiveEnv,
  mappingsAfterRename,
} from '../../../../src/renderer/src/components/project/environments-form-model';
import {
  ProjectFormSchema,
  formPathOf,
  formValuesFromDraft,
  projectFormResolver,
  toFormValues,
  toProjectInput,
  type ProjectFormValues,
} from '../../../../src/renderer/src/components/project/project-form-model';
import { ProjectSchema } from '../../../../src/shared/project';

const project = ProjectSchema.parse({
  name: 'web',
  region: 'eu-west-1',
  baseImage: { kind: 'id', imageId: 'ami-0123456789abcdef0' },
  initScript: '#!/bin/bash\necho hi\n',
  securityGroupIds: ['sg-0123abcd'],
  env: { APP_MODE: 'dev', DB_PASSWORD: { ssm: '/app/dev/db-password' } },
  environments: {
    prod: {
      description: 'What customers use',
      env: { APP_MODE: 'prod', API_TOKEN: { secretsManager: 'prod/api', key: 'token' } },
      region: 'us-east-1',
      instanceType: 't3.small',
      subnetId: 'subnet-0123abcd',
      securityGroupIds: ['sg-0badcafe'],
      iamInstanceProfile: 'prod-builder',
    },
    staging: { env: { DB_PASSWORD: { ssm: '/app/staging/db-password' } } },
    // An explicit empty list (the VPC's default group) is not "the project's groups".
    bare: { env: {}, securityGroupIds: [] },
  },
  triggers: {
    branches: ['main', 'release'],
    // develop is mapped but not listed: it bakes only if the list is emptied (a trigger naming it).
    environments: { main: 'prod', release: 'staging', develop: 'staging' },
  },
});

const errorsOf = (values: unknown) => {
  const result = ProjectFormSchema.safeParse(values);
  return result.success ? [] : result.error.issues.map((i) => [i.path.join('.'), i.message]);
};

async function resolve(values: ProjectFormValues) {
  const options: ResolverOptions<ProjectFormValues> = { fields: {}, shouldUseNativeValidation: false };
  return projectFormResolver(values, undefined, options);
}

describe('environments in the project form', () => {
  it('round-trips environments and branch mappings through the form unchanged', () => {
    const values = toFormValues(project);
    expect(values.environments.map((e) => e.name)).toEqual(['prod', 'staging', 'bare']);
    expect(values.environments[0]!.env).toEqual([
      { name: 'APP_MODE', value: 'prod' },
      { name: 'API_TOKEN', value: { secretsManager: 'prod/api', key: 'token' } },
    ]);
    expect(values.environments[1]).toMatchObject({ region: '', instanceType: '', securityGroupIds: null });
    expect(values.environments[2]!.securityGroupIds).toEqual([]);
    expect(values.triggers.branches).toEqual([
      { branch: 'main', listed: true, environment: 'prod' },
      { branch: 'release', listed: true, environment: 'staging' },
      { branch: 'develop', listed: false, environment: 'staging' },
    ]);
    expect(errorsOf(values)).toEqual([]);
    expect(ProjectSchema.parse(toProjectInput(values))).toEqual(project);
  });

  it('writes no environments or mappings for a project without them', () => {
    const bare = ProjectSchema.parse({ name: 'x', baseImage: project.baseImage, initScript: '#!/bin/sh\n' });
    const input = toProjectInput(toFormValues(bare));
    expect(input).not.toHaveProperty('environments');
    expect(input.triggers).toEqual({ branches: [] });
    expect(ProjectSchema.parse(input)).toEqual(bare);
  });

  it('adds an environment with an override, a reference and a mapped branch as the project file says it', () => {
    const values = toFormValues(project);
    values.environments.push({
      name: 'qa',
      description: '',
      env: [
        { name: 'APP_MODE', value: 'qa' },
        { name: 'QA_TOKEN', value: { ssm: '/app/qa/token' } },
        { name: '', value: 'still typing' },
      ],
      region: '',
      instanceType: ' t3.large ',
      subnetId: '',
      securityGroupIds: null,
      iamInstanceProfile: '',
    });
    values.triggers.branches.push({ branch: 'qa', listed: true, environment: 'qa' });
    const saved = ProjectSchema.parse(toProjectInput(values));
    expect(saved.environments?.qa).toEqual({
      env: { APP_MODE: 'qa', QA_TOKEN: { ssm: '/app/qa/token' } },
      instanceType: 't3.large',
    });
    expect(saved.triggers).toEqual({
      branches: ['main', 'release', 'qa'],
      environments: { main: 'prod', release: 'staging', qa: 'qa', develop: 'staging' },
    });
  });

  it('carries branch mappings along when an environment is renamed', () => {
    const values = toFormValues(project);
    values.environments[1]!.name = 'preprod';
    values.triggers.branches = mappingsAfterRename(values.triggers.branches, 'staging', 'preprod');
    expect(branchesMappedTo(values.triggers.branches, 'preprod')).toEqual(['release', 'develop']);
    expect(branchesMappedTo(values.triggers.branches, 'staging')).toEqual([]);
    const saved = ProjectSchema.parse(toProjectInput(values));
    expect(saved.triggers.environments).toEqual({
      main: 'prod',
      release: 'preprod',
      develop: 'preprod',
    });
    expect(saved.environments?.preprod).toEqual(project.environments?.staging);
  });

  it('refuses bad names, duplicates, bad overrides and a mapping to an environment that is gone', () => {
    const values = toFormValues(project);
    values.environments[1]!.name = 'Prod';
    values.environments[2]!.name = 'no spaces';
    values.environments[0]!.instanceType = 'big';
    values.environments[0]!.env.push({ name: 'APP_MODE', value: 'again' });
    values.triggers.branches.push({ branch: 'main', listed: false, environment: '' });
    expect(errorsOf(values).sort()).toEqual([
      ['environments.0.env.2.name', 'Variable APP_MODE is already set above.'],
      ['environments.0.instanceType', 'An instance type looks like t3.micro.'],
      // Ignoring case: webhook queue files are named by the environment, and some file systems ignore case.
      ['environments.1.name', 'Environment Prod is already set above.'],
      ['environments.2.name', 'An environment name is 1–32 letters, digits, - or _ (like prod).'],
      // staging was renamed away without its mappings (the editor carries them; see the rename test).
      ['triggers.branches.1.environment', 'There is no environment named staging.'],
      ['triggers.branches.2.environment', 'There is no environment named staging.'],
      ['triggers.branches.3.branch', 'Branch main is already set above.'],
    ]);
    const gone = toFormValues(project);
    gone.environments.splice(1, 1);
    expect(errorsOf(gone)).toEqual([
      ['triggers.branches.1.environment', 'There is no environment named staging.'],
      ['triggers.branches.2.environment', 'There is no environment named staging.'],
    ]);
  });

  it('puts an issue of the shared ProjectSchema on the input it is about', async () => {
    const values = toFormValues(project);
    expect(formPathOf(['environments', 'staging', 'env', 'DB_PASSWORD', 'ssm'], values)).toBe(
      'environments.1.env.0.value.ssm',
    );
    expect(formPathOf(['environments', 'prod', 'env', 'API_TOKEN'], values)).toBe(
      'environments.0.env.1.value',
    );
    expect(formPathOf(['environments', 'prod', 'region'], values)).toBe('environments.0.region');
    expect(formPathOf(['environments', 'bare'], values)).toBe('environments.2.name');
    expect(formPathOf(['triggers', 'environments', 'develop'], values)).toBe(
      'triggers.branches.2.environment',
    );
    expect(formPathOf(['triggers', 'branches', 1], values)).toBe('triggers.branches.1.branch');
    expect(formPathOf(['env', 'DB_PASSWORD'], values)).toBe('env.1.value');
    expect(formPathOf(['baseImage', 'imageId'], values)).toBe('baseImage.imageId');

    // The form's own rules pass; the shared schema refuses the parameter name and the resolver says where.
    values.environments[1]!.env[0]!.value = { ssm: '/aws/reserved' };
    const { errors } = await resolve(values);
    expect(errors).toEqual({
      environments: [
        undefined,
        {
          env: [
            {
              value: {
                ssm: { type: 'custom', message: 'Parameter names may not begin with aws or ssm.' },
              },
            },
          ],
        },
      ],
    });
    expect(Object.keys((await resolve(toFormValues(project))).errors)).toEqual([]);
  });

  it('shows what a bake of an environment exports: overridden, added and inherited variables', () => {
    const values = toFormValues(project);
    expect(effectiveEnv(values.env, values.environments[0]!.env)).toEqual([
      { name: 'APP_MODE', value: 'prod', source: 'overrides' },
      { name: 'DB_PASSWORD', value: { ssm: '/app/dev/db-password' }, source: 'project' },
      { name: 'API_TOKEN', value: { secretsManager: 'prod/api', key: 'token' }, source: 'adds' },
    ]);
  });

  it('takes environments and triggers from the saved project for a draft from before they were edited here', () => {
    const saved = toFormValues(project);
    const old = {
      ...saved,
      initScript: '#!/bin/sh\necho draft\n',
      environments: project.environments,
      triggers: project.triggers,
    };
    const draft = formValuesFromDraft(old, saved);
    expect(draft?.environments).toEqual(saved.environments);
    expect(draft?.triggers).toEqual(saved.triggers);
    expect(draft?.initScript).toBe('#!/bin/sh\necho draft\n');
  });
});
