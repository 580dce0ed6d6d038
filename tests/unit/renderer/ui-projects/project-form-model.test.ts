import { describe, expect, it } from 'vitest';
import {
  ProjectFormSchema,
  formValuesFromDraft,
  toFormValues,
  toProjectInput,
} from '../../../../src/renderer/src/components/project/project-form-model';
import { ProjectSchema } from '../../../../src/shared/project';

const project = ProjectSchema.parse({
  name: 'web',
  region: 'eu-west-1',
  baseImage: { kind: 'id', imageId: 'ami-0123456789abcdef0' },
  subnetId: 'subnet-0123abcd',
  securityGroupIds: ['sg-0123abcd'],
  keyName: 'ops',
  rootVolume: { sizeGiB: 20, type: 'gp3' },
  initScript: '#!/bin/bash\necho hi\n',
  env: { STAGE: 'prod', DEBUG: '0' },
  tags: { team: 'web' },
});

const errorsOf = (values: unknown) => {
  const result = ProjectFormSchema.safeParse(values);
  return result.success ? [] : result.error.issues.map((i) => [i.path.join('.'), i.message]);
};

describe('project form model', () => {
  it('round-trips a project through the form unchanged', () => {
    const values = toFormValues(project);
    expect(values.env).toEqual([
      { name: 'STAGE', value: 'prod' },
      { name: 'DEBUG', value: '0' },
    ]);
    expect(errorsOf(values)).toEqual([]);
    expect(ProjectSchema.parse(toProjectInput(values))).toEqual(project);
  });

  it('carries the deploy section, which the form does not edit, through a save', () => {
    const withDeploy = ProjectSchema.parse({
      ...project,
      deploy: {
        targets: [{ group: 'web-asg', region: 'eu-west-1' }],
        preferences: { minHealthyPercentage: 75 },
      },
    });
    expect(ProjectSchema.parse(toProjectInput(toFormValues(withDeploy)))).toEqual(withDeploy);
  });

  it('turns empty inputs into "not set", and drops rows still without a name', () => {
    const bare = ProjectSchema.parse({ name: 'x', baseImage: project.baseImage, initScript: '#!/bin/sh\n' });
    const values = { ...toFormValues(bare), env: [{ name: '', value: 'typing' }] };
    expect(values.region).toBe('');
    expect(values.rootVolume.sizeGiB).toBe('');
    const input = toProjectInput(values);
    expect(input).not.toHaveProperty('region');
    expect(input).not.toHaveProperty('subnetId');
    expect(input.rootVolume).toEqual({ type: 'gp3' });
    expect(input.env).toEqual({});
    expect(ProjectSchema.parse(input)).toEqual(bare);
  });

  it('puts the shared schema’s messages on the field that is wrong, env rows included', () => {
    const values = toFormValues(project);
    expect(
      errorsOf({
        ...values,
        region: 'Europe',
        subnetId: 'subnet-x',
        instanceType: 'big',
        env: [
          { name: '1BAD', value: '' },
          { name: 'STAGE', value: 'a' },
          { name: 'STAGE', value: 'b' },
        ],
        rootVolume: { sizeGiB: 0, type: 'gp3' },
      }),
    ).toEqual([
      ['region', 'Not an AWS region name (like eu-west-1).'],
      ['instanceType', 'An instance type looks like t3.micro.'],
      ['subnetId', 'A subnet id looks like subnet-0123abcd.'],
      ['rootVolume.sizeGiB', 'A size is a whole number of GiB, 1 to 16384.'],
      ['env.0.name', 'Environment variable names are letters, digits and _.'],
      ['env.2.name', 'Variable STAGE is already set above.'],
    ]);
  });

  it('restores a draft over the saved values, but never under another name', () => {
    const saved = toFormValues(project);
    const draft = formValuesFromDraft(
      { ...saved, name: 'other', initScript: '#!/bin/sh\necho draft\n' },
      saved,
    );
    expect(draft).toMatchObject({ name: 'web', initScript: '#!/bin/sh\necho draft\n', env: saved.env });
    expect(formValuesFromDraft('not a draft', saved)).toBeUndefined();
    expect(formValuesFromDraft({ initScript: 42 }, saved)).toBeUndefined();
  });
});
