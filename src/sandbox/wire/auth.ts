import { SandboxError } from './errors';

export interface CallerScope {
  accessKeyId: string;
  region: string;
  service: string;
}

const REGION = /^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d$/;

/**
 * Reads who is calling and for which region from SigV4's credential scope
 * (`Credential=AKID/20240101/eu-west-1/ec2/aws4_request`), in the Authorization header or, for presigned
 * GETs, the X-Amz-Credential query parameter. Any credentials are accepted — the sandbox never verifies a
 * signature — but an unsigned request is refused as AWS would refuse it, so a client that forgot to sign
 * fails here rather than against real AWS.
 */
export function callerScope(authorization: string | undefined, query: URLSearchParams): CallerScope {
  const credential =
    /Credential=([^,\s]+)/.exec(authorization ?? '')?.[1] ?? query.get('X-Amz-Credential') ?? undefined;
  if (!credential) {
    throw new SandboxError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
  }
  const [accessKeyId, , region, service] = credential.split('/');
  if (!accessKeyId || !region || !service || !REGION.test(region)) {
    throw new SandboxError('AuthFailure', 'AWS was not able to validate the provided access credentials');
  }
  return { accessKeyId, region, service };
}
