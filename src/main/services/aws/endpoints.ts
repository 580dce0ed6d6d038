import { AWS_SERVICES, type ServiceEndpoints } from '../../../shared/aws';
import type { ProfileData } from './profile-kinds';

/** The SDK's service ids where they differ from our short names (AWS_ENDPOINT_URL_AUTO_SCALING). */
const SERVICE_IDS: Partial<Record<(typeof AWS_SERVICES)[number], string>> = { autoscaling: 'auto_scaling' };

/**
 * Endpoint overrides in the SDK's documented order: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the
 * profile's `services` section, the profile's endpoint_url. Quadraxis computes them itself and hands them to
 * its clients explicitly, so what the UI shows is what is called — the SDK's own lookup would read the
 * AWS_PROFILE profile, not the one chosen in the app.
 */
export function resolveEndpoints(
  env: NodeJS.ProcessEnv,
  data: ProfileData,
  servicesSections: Record<string, ProfileData>,
): { endpoints: ServiceEndpoints; problems: string[] } {
  const ignore = (value: string | undefined) => value?.trim().toLowerCase() === 'true';
  if (ignore(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) || ignore(data.ignore_configured_endpoint_urls)) {
    return { endpoints: {}, problems: [] };
  }
  const problems: string[] = [];
  let section: ProfileData | undefined;
  if (data.services) {
    section = servicesSections[data.services];
    if (!section) problems.push(`services "${data.services}" has no [services ${data.services}] section.`);
  }
  const endpoints: ServiceEndpoints = {};
  for (const service of AWS_SERVICES) {
    const id = SERVICE_IDS[service] ?? service;
    const url =
      env[`AWS_ENDPOINT_URL_${id.toUpperCase()}`] ||
      env.AWS_ENDPOINT_URL ||
      section?.[`${id}.endpoint_url`] ||
      data.endpoint_url;
    if (!url) continue;
    if (isHttpUrl(url)) endpoints[service] = url;
    else problems.push(`The ${service} endpoint "${url}" is not an http(s) URL.`);
  }
  return { endpoints, problems };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
