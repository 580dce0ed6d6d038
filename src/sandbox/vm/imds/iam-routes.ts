import type { MetadataSource } from './source';
import type { MetadataRoute } from './routes';

/** The role session instance metadata hands an instance, as the Sandbox issued it. */
export interface RoleSession {
  role: string;
  instanceProfileArn: string;
  instanceProfileId: string;
  accessKeyId: string;
  secretAccessKey: string;
  token: string;
  expiresAt: number;
  issuedAt: number;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * `meta-data/iam/info` and `meta-data/iam/security-credentials/<role>` (issue 18): an instance launched with
 * an instance profile gets its role's session credentials here, which the Sandbox knows and verifies
 * signatures with; one without a profile has neither route (404, as on EC2). `session` asks the Sandbox.
 */
export function iamRoutes(session: (source: MetadataSource) => RoleSession | undefined): MetadataRoute[] {
  return [
    {
      path: 'meta-data/iam/info',
      value: (source) => {
        const s = session(source);
        if (!s) return undefined;
        return JSON.stringify(
          {
            Code: 'Success',
            LastUpdated: iso(s.issuedAt),
            InstanceProfileArn: s.instanceProfileArn,
            InstanceProfileId: s.instanceProfileId,
          },
          null,
          2,
        );
      },
    },
    {
      path: 'meta-data/iam/security-credentials/{role}',
      params: { role: (source) => [session(source)?.role].filter((r): r is string => r !== undefined) },
      value: (source, params) => {
        const s = session(source);
        if (!s || params.role !== s.role) return undefined;
        return JSON.stringify(
          {
            Code: 'Success',
            LastUpdated: iso(s.issuedAt),
            Type: 'AWS-HMAC',
            AccessKeyId: s.accessKeyId,
            SecretAccessKey: s.secretAccessKey,
            Token: s.token,
            Expiration: iso(s.expiresAt),
          },
          null,
          2,
        );
      },
    },
  ];
}
