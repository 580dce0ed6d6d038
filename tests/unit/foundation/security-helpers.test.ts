import { describe, expect, it } from 'vitest';
import { createLogger, redact } from '../../../src/main/services/logger';
import { amiConsoleUrl, isAllowedExternalUrl } from '../../../src/shared/external-links';

describe('external link allowlist', () => {
  it.each([
    ['https://console.aws.amazon.com/ec2/home', true],
    ['https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1', true],
    ['https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/AMIs.html', true],
    ['http://console.aws.amazon.com/', false],
    ['https://console.aws.amazon.com.evil.example/', false],
    ['https://user:pw@console.aws.amazon.com/', false],
    ['https://console.aws.amazon.com:8443/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['not a url', false],
  ])('%s → %s', (url, allowed) => {
    expect(isAllowedExternalUrl(url)).toBe(allowed);
  });

  it('builds console links that pass the allowlist', () => {
    expect(isAllowedExternalUrl(amiConsoleUrl('eu-west-1', 'ami-0123456789abcdef0'))).toBe(true);
  });
});

describe('log redaction', () => {
  it('removes key ids, secrets, tokens and bearer values from every line', () => {
    const lines: string[] = [];
    const logger = createLogger((line) => lines.push(line));
    logger.error('resolve failed', {
      detail: 'AccessKeyId=AKIAIOSFODNN7EXAMPLE secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCY',
      header: 'Authorization: Bearer abc.def.ghi',
      sessionToken: 'FwoGZXIvYXdzEJr',
    });
    const text = lines.join('\n');
    for (const secret of ['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI', 'abc.def.ghi', 'FwoGZXIvYXdzEJr'])
      expect(text).not.toContain(secret);
    expect(redact('TokenCode=123456')).toBe('TokenCode=[redacted]');
  });
});
