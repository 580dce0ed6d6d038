import type { ResolverOptions } from 'react-hook-form';
import { describe, expect, it } from 'vitest';
import {
  ProjectFormSchema,
  formValuesFromDraft,
  projectFormResolver,
  type ProjectFormValues,
  toFormValues,
  toProjectInput,
} from '../../../../src/renderer/src/components/project/project-form-model';
import { ProjectSchema } from '../../../../src/shared/project';

const base = {
  name: 'web',
  baseImage: { kind: 'id', imageId: 'ami-0123456789abcdef0' },
  initScript: '#!/bin/sh\necho hi\n',
} as const;

const delivering = ProjectSchema.parse({
  ...base,
  distribution: {
    regions: ['us-west-2', 'eu-central-1'],
    shareWith: {
      accounts: ['111122223333'],
      organizations: ['arn:aws:organizations::111122223333:organization/o-abcdefghij'],
      snapshots: true,
    },
    encryption: { kmsKeyId: 'alias/images', kmsKeyIds: { 'eu-central-1': 'alias/images-eu' } },
    ssmParameter: '/images/{project}/latest',
    deprecateOlder: true,
  },
  retention: { keep: 2, maxAgeDays: 90, pruneAfterBake: true },
});

const errorsOf = (values: unknown) => {
  const result = ProjectFormSchema.safeParse(values);
  return result.success ? [] : result.error.issues.map((i) => [i.path.join('.'), i.message]);
};

describe('delivery sections of the project form', () => {
  it('round-trips distribution and retention unchanged', () => {
    const values = toFormValues(delivering);
    expect(values.distribution).toMatchObject({
      enabled: true,
      encrypt: true,
      kmsKeyIds: [{ region: 'eu-central-1', key: 'alias/images-eu' }],
    });
    expect(errorsOf(values)).toEqual([]);
    expect(ProjectSchema.parse(toProjectInput(values))).toEqual(delivering);
  });

  it('a project without them saves without them (old files stay as they were)', () => {
    const plain = ProjectSchema.parse(base);
    const input = toProjectInput(toFormValues(plain));
    expect(input).not.toHaveProperty('distribution');
    expect(input).not.toHaveProperty('retention');
    expect(ProjectSchema.parse(input)).toEqual(plain);
  });

  it('puts the shared schema’s complaints on the right fields', () => {
    const values = toFormValues(delivering);
    expect(
      errorsOf({
        ...values,
        distribution: {
          ...values.distribution,
          accounts: ['1111-2222-3333'],
          kmsKeyIds: [
            {
              region: 'eu-central-1',
              key: 'arn:aws:kms:us-east-1:111122223333:key/0123456789abcdef0123456789abcdef',
            },
          ],
          ssmParameter: '/aws/mine',
        },
        retention: { ...values.retention, keep: '', maxAgeDays: '' },
      }),
    ).toEqual([
      [
        'distribution.accounts',
        '1111-2222-3333: An AWS account id is 12 digits, without dashes (like 111122223333).',
      ],
      ['distribution.ssmParameter', 'Parameter names may not begin with /aws or /ssm.'],
      ['distribution.kmsKeyIds.0.key', 'This key ARN is in us-east-1, not eu-central-1.'],
      ['retention.keep', 'Give keep, maxAgeDays or both: what to keep.'],
    ]);
  });

  it('refuses sharing an image encrypted with the AWS managed key, on the key field', () => {
    const values = toFormValues(delivering);
    expect(
      errorsOf({
        ...values,
        distribution: { ...values.distribution, kmsKeyId: 'alias/aws/ebs', kmsKeyIds: [] },
      }),
    ).toEqual([['distribution.kmsKeyId', expect.stringContaining('cannot be shared')]]);
  });

  it('once the project has environments, says on the parameter field that it needs {environment}', async () => {
    const values = toFormValues(
      ProjectSchema.parse({
        ...base,
        distribution: { ssmParameter: '/images/{project}/{environment}/latest' },
        environments: { prod: { env: {} } },
      }),
    );
    const options: ResolverOptions<ProjectFormValues> = { fields: {}, shouldUseNativeValidation: false };
    expect((await projectFormResolver(values, undefined, options)).errors).toEqual({});
    values.distribution.ssmParameter = '/images/{project}/latest';
    const { errors } = await projectFormResolver(values, undefined, options);
    expect(errors.distribution?.ssmParameter?.message).toMatch(
      /^The project has environments \(prod\), .* Put \{environment\} in the name, e\.g\. \/images\/\{project\}\/\{environment\}\/latest\.$/,
    );
  });

  it('an old draft without the sections takes them from the saved project', () => {
    const saved = toFormValues(delivering);
    const { distribution: _d, retention: _r, ...old } = saved;
    const restored = formValuesFromDraft({ ...old, description: 'edited' }, saved);
    expect(restored?.distribution).toEqual(saved.distribution);
    expect(restored?.description).toBe('edited');
  });
});
