/**
 * The only places the app will open in the user's browser. Everything else is refused: a compromised or
 * confused renderer must not be able to launch arbitrary URLs or protocols through the OS.
 */
const ALLOWED_HOSTS = [
  /^(?:[a-z0-9-]+\.)*console\.aws\.amazon\.com$/,
  /^docs\.aws\.amazon\.com$/,
  // Where distributions publish the cloud images the Sandbox's VM mode boots (Settings links to them).
  /^cloud\.debian\.org$/,
  /^cloud-images\.ubuntu\.com$/,
];

/**
 * The URL to hand to the OS, or undefined when it is refused. It is parsed as a browser parses it, and
 * refused unless its serialization is exactly the text given: `https://console.aws.amazon.com\@evil.example/`
 * has console.aws.amazon.com as its host here but evil.example for an RFC 3986 parser the OS may use, so a
 * string whose meaning depends on who reads it is never passed on — only the parsed URL's own `href` is.
 */
export function externalUrl(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.href !== raw) return undefined;
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return undefined;
  return ALLOWED_HOSTS.some((host) => host.test(url.hostname)) ? url.href : undefined;
}

export function isAllowedExternalUrl(raw: string): boolean {
  return externalUrl(raw) !== undefined;
}

/** The console page for an AMI, region-aware. */
export function amiConsoleUrl(region: string, imageId: string): string {
  return `https://${region}.console.aws.amazon.com/ec2/home?region=${region}#ImageDetails:imageId=${imageId}`;
}
