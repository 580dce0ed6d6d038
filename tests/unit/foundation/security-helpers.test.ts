import { describe, expect, it } from 'vitest';
import { createLogger, redact } from '../../../src/main/services/logger';
import { rendererUrl } from '../../../src/main/electron/renderer-url';
import { amiConsoleUrl, externalUrl, isAllowedExternalUrl } from '../../../src/shared/external-links';

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
    // Browsers read the host as console.aws.amazon.com, RFC 3986 parsers (and so some OS handlers) as
    // evil.example: a URL whose meaning depends on the reader is refused.
    ['https://console.aws.amazon.com\\@evil.example/', false],
    ['https://console.aws.amazon.com\\evil.example/', false],
    // Anything the parser would rewrite: a missing slash, upper case, tabs or newlines it drops.
    ['https://docs.aws.amazon.com', false],
    ['https://DOCS.aws.amazon.com/', false],
    ['https://docs.aws.amazon.com/\tx', false],
    ['https://docs.aws.amazon.com/a b', false],
    [' https://docs.aws.amazon.com/', false],
  ])('%s → %s', (url, allowed) => {
    expect(isAllowedExternalUrl(url)).toBe(allowed);
  });

  it('hands on the parsed URL, never the string it was given', () => {
    const url = 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/AMIs.html';
    expect(externalUrl(url)).toBe(new URL(url).href);
    expect(externalUrl('https://console.aws.amazon.com\\@evil.example/')).toBeUndefined();
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

describe('the renderer URL', () => {
  const built = 'app://quadraxis/index.html';
  it.each([
    // electron-vite's dev server, while developing.
    ['http://localhost:5173/', false, 'http://localhost:5173/'],
    ['http://127.0.0.1:5173/', false, 'http://127.0.0.1:5173/'],
    ['http://[::1]:5173/', false, 'http://[::1]:5173/'],
    // An installed app never takes a page from the environment, not even a loopback one.
    ['http://localhost:5173/', true, built],
    // Not loopback, not http(s), or dressed up as loopback: the built renderer.
    ['https://evil.example/', false, built],
    ['http://localhost.evil.example:5173/', false, built],
    ['http://127.0.0.1.evil.example/', false, built],
    ['http://user@localhost:5173/', false, built],
    ['file:///tmp/page.html', false, built],
    ['javascript:alert(1)', false, built],
    ['not a url', false, built],
    [undefined, false, built],
  ])('%s (packaged: %s) → %s', (fromEnv, packaged, expected) => {
    expect(rendererUrl(fromEnv, packaged, built)).toBe(expected);
  });
});
