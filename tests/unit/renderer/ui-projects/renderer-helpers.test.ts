import { describe, expect, it } from 'vitest';
import { identityProblemTitle } from '../../../../src/renderer/src/components/aws/identity-problem';
import { effectiveProfile } from '../../../../src/renderer/src/components/aws/profile-choice';
import { regionLabel, regionOptions } from '../../../../src/renderer/src/components/aws/regions';
import { QUICK_FIXES } from '../../../../src/renderer/src/components/editor/quick-fixes';
import {
  copyName,
  describeBaseImage,
  filterProjects,
  formatMemory,
  formatRelativeTime,
} from '../../../../src/renderer/src/components/project/format';
import type { ProfileList } from '../../../../src/shared/aws';
import type { ProjectSummary } from '../../../../src/shared/ipc/projects.contract';
import { diagnoseScript } from '../../../../src/shared/script-diagnostics';
import { defaultSettings } from '../../../../src/shared/settings';

const summary = (name: string, description = ''): ProjectSummary => ({
  name,
  description,
  baseImage: { kind: 'id', imageId: 'ami-0123456789abcdef0' },
  instanceType: 't3.micro',
  revision: 'r1',
});

describe('project list helpers', () => {
  it('searches names and descriptions, every word, ignoring case', () => {
    const items = [
      summary('web', 'Nginx on Amazon Linux'),
      summary('api', 'Docker on Ubuntu'),
      summary('batch'),
    ];
    expect(filterProjects(items, '').map((p) => p.name)).toEqual(['web', 'api', 'batch']);
    expect(filterProjects(items, 'UBUNTU').map((p) => p.name)).toEqual(['api']);
    expect(filterProjects(items, 'on amazon').map((p) => p.name)).toEqual(['web']);
    expect(filterProjects(items, 'nothing')).toEqual([]);
  });

  it('names a copy without clashing', () => {
    expect(copyName('web', ['web'])).toBe('web-copy');
    expect(copyName('web', ['web', 'WEB-copy', 'web-copy-2'])).toBe('web-copy-3');
  });

  it('describes base images in words and sizes in GiB', () => {
    expect(
      describeBaseImage({
        kind: 'ssm',
        parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
      }),
    ).toBe('Amazon Linux 2023 (latest, arm64)');
    expect(
      describeBaseImage({
        kind: 'ssm',
        parameter: '/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id',
      }),
    ).toBe('Ubuntu 24.04 (latest, amd64)');
    expect(describeBaseImage({ kind: 'ssm', parameter: '/team/golden-ami' })).toBe('SSM /team/golden-ami');
    expect(
      describeBaseImage({
        kind: 'latest',
        owners: ['self'],
        namePattern: 'golden-*',
        architecture: 'x86_64',
      }),
    ).toBe('Newest “golden-*” (x86_64)');
    expect(formatMemory(512)).toBe('512 MiB');
    expect(formatMemory(2048)).toBe('2 GiB');
    expect(formatMemory(1536)).toBe('1.5 GiB');
  });

  it('says how long ago, in words', () => {
    const now = Date.UTC(2025, 0, 10, 12);
    expect(formatRelativeTime(now - 10_000, now)).toBe('just now');
    expect(formatRelativeTime(now - 5 * 60_000, now)).toBe('5 minutes ago');
    expect(formatRelativeTime(now - 26 * 3600_000, now)).toBe('yesterday');
  });
});

describe('AWS header helpers', () => {
  const list = (currentProfile?: string): ProfileList => ({
    profiles: [],
    ...(currentProfile ? { currentProfile } : {}),
    configFile: { path: '/x/config', exists: true, fromEnv: false },
    credentialsFile: { path: '/x/credentials', exists: true, fromEnv: false },
    problems: [],
  });

  it('uses the chosen profile, else the AWS CLI’s, else the Sandbox', () => {
    expect(effectiveProfile({ ...defaultSettings(), profile: 'prod' }, list('default'))).toBe('prod');
    expect(effectiveProfile(defaultSettings(), list('default'))).toBe('default');
    expect(effectiveProfile(defaultSettings(), list())).toBe('sandbox');
    expect(effectiveProfile(undefined, undefined)).toBe('sandbox');
  });

  it('titles each kind of profile problem', () => {
    expect(identityProblemTitle({ code: 'SSO_EXPIRED', message: '' })).toBe('SSO session expired');
    expect(
      identityProblemTitle({ code: 'INVALID_INPUT', message: '', details: { reason: 'no-region' } }),
    ).toBe('Choose a region');
    expect(identityProblemTitle({ code: 'UNAVAILABLE', message: '' })).toBe('AWS not reachable');
    expect(identityProblemTitle({ code: 'INTERNAL', message: '' })).toBe('Could not connect');
  });

  it('lists regions with their names, keeping an unknown one a profile uses', () => {
    expect(regionLabel('eu-west-1')).toBe('eu-west-1 · Ireland');
    const options = regionOptions('us-isob-east-1', 'eu-west-1');
    expect(options.filter((o) => o.value === 'eu-west-1')).toHaveLength(1);
    expect(options.at(-1)).toEqual({ value: 'us-isob-east-1', label: 'us-isob-east-1' });
  });
});

describe('quick fixes', () => {
  it('each removes the problem it is offered for', () => {
    const cases: [keyof typeof QUICK_FIXES, string][] = [
      ['crlf', '#!/bin/bash\r\necho a\r\n'],
      ['missing-shebang', 'echo a\n'],
      ['shebang-not-first', '\n\n#!/bin/bash\necho a\n'],
      ['bom', '\uFEFF#!/bin/bash\necho a\n'],
    ];
    for (const [code, script] of cases) {
      expect(diagnoseScript(script).map((d) => d.code)).toContain(code);
      const fixed = QUICK_FIXES[code]!.apply(script);
      expect(diagnoseScript(fixed)).toEqual([]);
    }
  });
});
