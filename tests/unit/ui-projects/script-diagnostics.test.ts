import { describe, expect, it } from 'vitest';
import {
  diagnoseScript,
  formatBytes,
  scriptKind,
  scriptLanguage,
  sizeVerdict,
  type DiagnosticCode,
} from '../../../src/shared/script-diagnostics';
import { diagnoseEnv } from '../../../src/shared/user-data-secrets';

const codes = (script: string, options?: Parameters<typeof diagnoseScript>[1]) =>
  diagnoseScript(script, options).map((d) => d.code);
const find = (script: string, code: DiagnosticCode, options?: Parameters<typeof diagnoseScript>[1]) =>
  diagnoseScript(script, options).find((d) => d.code === code);

describe('script kind and language', () => {
  it('reads the first line the way cloud-init does', () => {
    expect(scriptKind('#!/bin/bash\necho hi')).toBe('shell');
    expect(scriptKind('#cloud-config\npackages: [nginx]')).toBe('cloud-config');
    expect(scriptKind('#include\nhttps://example.com/x')).toBe('other-user-data');
    expect(scriptKind('apt-get update')).toBe('no-shebang');
    expect(scriptKind('  \n')).toBe('empty');
    expect(scriptLanguage('#cloud-config\n')).toBe('yaml');
    expect(scriptLanguage('#!/bin/sh\n')).toBe('shell');
    expect(scriptLanguage('echo no shebang')).toBe('shell');
  });
});

describe('diagnoseScript', () => {
  it('has nothing to say about a clean script or cloud-config', () => {
    expect(diagnoseScript('#!/bin/bash\nset -euo pipefail\ndnf install -y nginx\n')).toEqual([]);
    expect(diagnoseScript('#cloud-config\nruncmd:\n  - echo hi\n')).toEqual([]);
  });

  it('flags a missing shebang on the first line: a warning under the wrapper, an error as plain user data', () => {
    const wrapped = find('apt-get update\napt-get install -y nginx', 'missing-shebang');
    expect(wrapped).toMatchObject({ severity: 'warning', line: 1, column: 1 });
    expect(wrapped?.message).toContain('/bin/sh');
    const plain = find('apt-get update', 'missing-shebang', { completionMode: 'wait' });
    expect(plain).toMatchObject({ severity: 'error' });
    expect(plain?.message).toContain('ignored');
  });

  it('insists the #! is the very first line, and that it names an absolute interpreter', () => {
    const late = find('\n\n#!/bin/bash\necho hi', 'shebang-not-first');
    expect(late).toMatchObject({ line: 3, severity: 'warning' });
    expect(find('\n#!/bin/bash', 'shebang-not-first', { completionMode: 'wait' })?.severity).toBe('error');
    expect(find('#!bash\necho', 'bad-shebang')).toMatchObject({ line: 1, severity: 'error' });
    expect(codes('#! /bin/sh\necho')).toEqual([]);
    expect(codes('#!/usr/bin/env python3\nprint(1)')).toEqual([]);
  });

  it('points at the first CRLF line and counts them all', () => {
    const crlf = find('#!/bin/bash\r\necho a\r\necho b\n', 'crlf');
    expect(crlf).toMatchObject({ line: 1, severity: 'error' });
    expect(crlf?.message).toContain('2 lines');
  });

  it('warns when something that looks like a secret is typed into the script, at its position', () => {
    const script = [
      '#!/bin/bash',
      'export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE',
      'DB_PASSWORD=hunter2',
      'echo "-----BEGIN RSA PRIVATE KEY-----" > /root/key',
      'PASSWORD=$DB_PASSWORD',
      'aws_secret_access_key = abc',
    ].join('\n');
    const secrets = diagnoseScript(script).filter((d) => d.code === 'secret');
    expect(secrets.map((d) => d.line)).toEqual([2, 3, 4, 6]);
    expect(secrets[0]).toMatchObject({ column: 26, endColumn: 46, severity: 'warning' });
    expect(secrets[0]?.message).toContain('AWS access key id');
    expect(secrets[2]?.message).toContain('private key');
  });

  it('knows what the engine refuses: unwrappable user data, env with #cloud-config', () => {
    expect(find('#include\nhttps://x', 'unwrappable')?.severity).toBe('error');
    expect(codes('#include\nhttps://x', { completionMode: 'wait' })).not.toContain('unwrappable');
    expect(find('#cloud-config\n', 'cloud-config-env', { envCount: 1 })?.severity).toBe('error');
    expect(find('#!/bin/sh\n', 'env-ignored', { completionMode: 'wait', envCount: 2 })?.severity).toBe(
      'warning',
    );
  });

  it('catches tabs in cloud-config indentation and look-alike quotes in shell', () => {
    expect(find('#cloud-config\nruncmd:\n\t- echo hi\n', 'yaml-tab')).toMatchObject({
      line: 3,
      endColumn: 2,
    });
    expect(find('#!/bin/sh\necho \u201Chello\u201D\n', 'lookalike-characters')).toMatchObject({
      line: 2,
      column: 6,
    });
  });

  it('warns when the script powers the builder off itself (the wrapper does that)', () => {
    expect(find('#!/bin/sh\nsudo reboot\n', 'powers-off')?.line).toBe(2);
    expect(codes('#!/bin/sh\nsudo reboot\n', { completionMode: 'wait' })).not.toContain('powers-off');
    expect(codes('#!/bin/sh\necho rebooting later\n')).toEqual([]);
  });

  it('warns about an empty script and a byte-order mark', () => {
    expect(codes('')).toEqual(['empty']);
    expect(codes('\uFEFF#!/bin/bash\necho')).toContain('bom');
  });

  it('adds the size verdict from the measured user data', () => {
    const limitBytes = 16 * 1024;
    expect(codes('#!/bin/sh\n', { size: { rawBytes: 3000, gzipBytes: 1200, limitBytes } })).toEqual([]);
    expect(codes('#!/bin/sh\n', { size: { rawBytes: 30_000, gzipBytes: 9000, limitBytes } })).toEqual([
      'user-data-gzipped',
    ]);
    const over = find('#!/bin/sh\n', 'user-data-too-large', {
      size: { rawBytes: 60_000, gzipBytes: 20_000, limitBytes },
    });
    expect(over?.severity).toBe('error');
  });
});

describe('sizeVerdict and formatBytes', () => {
  const limitBytes = 16 * 1024;
  it('says what EC2 receives: raw when it fits, else gzip, else refused', () => {
    expect(sizeVerdict({ rawBytes: limitBytes, gzipBytes: 10, limitBytes })).toMatchObject({
      level: 'ok',
      sentBytes: limitBytes,
    });
    const gzip = sizeVerdict({ rawBytes: limitBytes + 1, gzipBytes: 5000, limitBytes });
    expect(gzip).toMatchObject({ level: 'gzip', sentBytes: 5000 });
    expect(gzip.message).toContain('gzip');
    const over = sizeVerdict({ rawBytes: 40_000, gzipBytes: limitBytes + 1, limitBytes });
    expect(over.level).toBe('over');
    expect(over.message).toContain('refused');
  });

  it('counts KB as 1024 bytes, like EC2', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(16 * 1024)).toBe('16 KB');
  });
});

describe('what the completion protocol cannot serve', () => {
  it('recognises Windows user data: an error under the wrapper (Windows is refused), a note in "wait" mode', () => {
    for (const script of [
      '<powershell>\nInstall-WindowsFeature -Name Web-Server\n</powershell>',
      '<script>\necho hi\n</script>',
      '<persist>true</persist>\n<powershell>Write-Host hi</powershell>',
    ]) {
      expect(scriptKind(script)).toBe('windows');
      const wrapped = find(script, 'windows-user-data');
      expect(wrapped).toMatchObject({ severity: 'error', line: 1 });
      expect(wrapped?.message).toContain('Windows base images are refused');
      expect(find(script, 'windows-user-data', { completionMode: 'wait' })?.severity).toBe('info');
      expect(codes(script)).not.toContain('missing-shebang');
    }
  });

  it('names a NUL byte, which the bake refuses', () => {
    expect(find('#!/bin/sh\necho a\nx\0y\n', 'nul-byte')).toMatchObject({ severity: 'error', line: 3 });
  });

  it('warns about a top-level #cloud-config key cloud-init does not know, with what was meant', () => {
    const typo = find(
      '#cloud-config\npakages: [nginx]\nruncmd:\n  - echo hi\nwrite_files: []\n',
      'cloud-config-unknown-key',
    );
    expect(typo).toMatchObject({ severity: 'warning', line: 2, column: 1, endColumn: 8 });
    expect(typo?.message).toContain('did you mean “packages”');
    expect(typo?.message).toContain('cloud-init 23.4 and later');
    expect(codes('#cloud-config\npackage_update: true\nca_certs: {}\n')).toEqual([]);
    // Only top-level keys: nested ones belong to their module's schema.
    expect(codes('#cloud-config\nwrite_files:\n  - path: /x\n    contnet: y\n')).toEqual([]);
  });
});

describe('secrets in environment values', () => {
  it('runs the script’s secret patterns over each value and NAME=value, and says where it would be visible', () => {
    const found = diagnoseEnv({
      STAGE: 'prod',
      DB_PASSWORD: 'hunter2',
      DB_PASSWORD_REF: '$FROM_SSM',
      DEPLOY_KEY_ID: 'AKIAABCDEFGHIJKLMNOP',
      GH: 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB',
      EMPTY_TOKEN: '',
    });
    expect(found.map((d) => d.name)).toEqual(['DB_PASSWORD', 'DEPLOY_KEY_ID', 'GH']);
    expect(found[0]?.message).toContain('a password or token in plain text');
    expect(found[1]?.message).toContain('an AWS access key id');
    for (const d of found) {
      expect(d.message).toContain('DescribeInstanceAttribute (userData)');
      expect(d.message).toContain('instance metadata service');
    }
  });
});
