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

export function isAllowedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return false;
  return ALLOWED_HOSTS.some((host) => host.test(url.hostname));
}

/** The console page for an AMI, region-aware. */
export function amiConsoleUrl(region: string, imageId: string): string {
  return `https://${region}.console.aws.amazon.com/ec2/home?region=${region}#ImageDetails:imageId=${imageId}`;
}
