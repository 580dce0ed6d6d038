import type { GeneratedPolicy, IamStatement } from '../../../shared/aws';
import { envReferences, secretRegion } from '../../../shared/environments';
import type { Env, Project } from '../../../shared/project';
import { parameterArn, partitionOf, secretNameArn } from './arns';

type Explained = IamStatement & { explanation: string };

/**
 * The policy of the *builder's* role (its instance profile), which resolves the project's env references on
 * the builder (issue 18): read exactly the referenced parameters and secrets, and decrypt them only through
 * those services. Every environment's references count (a bake of any of them uses the same profile unless
 * the environment names its own; then `environment` narrows it to that one). Undefined: no references.
 */
export function generateInstanceRolePolicy(
  project: Project,
  options: { accountId?: string; region?: string; environment?: string } = {},
): GeneratedPolicy | undefined {
  const account = options.accountId ?? '*';
  const home = options.region ?? project.region ?? '*';
  // Each environment reads in the region it bakes in (its own, else the project's): its ARNs name that one.
  const reads: { env: Env; region: string }[] =
    options.environment !== undefined
      ? [
          {
            env: { ...project.env, ...(project.environments?.[options.environment]?.env ?? {}) },
            region: options.region ?? project.environments?.[options.environment]?.region ?? home,
          },
        ]
      : [
          { env: project.env, region: home },
          ...Object.values(project.environments ?? {}).map((e) => ({
            env: { ...project.env, ...e.env },
            region: options.region ?? e.region ?? home,
          })),
        ];
  const parameters = new Set<string>();
  const secrets = new Set<string>();
  const parameterRegions = new Set<string>();
  const secretRegions = new Set<string>();
  for (const { env, region } of reads) {
    const partition = partitionOf(region);
    for (const [, ref] of envReferences(env)) {
      if ('ssm' in ref) {
        parameters.add(parameterArn(partition, region, account, ref.ssm));
        parameterRegions.add(region);
      } else if (ref.secretsManager.startsWith('arn:')) {
        // A full ARN ends in Secrets Manager's six-character suffix; a partial one does not.
        secrets.add(
          /-[A-Za-z0-9]{6}$/.test(ref.secretsManager) ? ref.secretsManager : `${ref.secretsManager}-??????`,
        );
        secretRegions.add(secretRegion(ref.secretsManager) ?? region);
      } else {
        const at = secretRegion(ref.secretsManager) ?? region;
        secrets.add(secretNameArn(partition, at, account, ref.secretsManager));
        secretRegions.add(at);
      }
    }
  }
  if (parameters.size === 0 && secrets.size === 0) return undefined;
  const statements: Explained[] = [];
  if (parameters.size > 0)
    statements.push({
      Sid: 'ReadReferencedParameters',
      Effect: 'Allow',
      Action: 'ssm:GetParameters',
      Resource: [...parameters].sort(),
      explanation: `Read the ${parameters.size === 1 ? 'parameter' : `${parameters.size} parameters`} the project's env references (decrypted on the builder, at run time) — those only.`,
    });
  if (secrets.size > 0)
    statements.push({
      Sid: 'ReadReferencedSecrets',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: [...secrets].sort(),
      explanation: `Read the ${secrets.size === 1 ? 'secret' : `${secrets.size} secrets`} the project's env references — those only (-?????? matches the suffix Secrets Manager adds to a secret's ARN).`,
    });
  const services = [
    ...[...parameterRegions].sort().map((r) => `ssm.${r}.amazonaws.com`),
    ...[...secretRegions].sort().map((r) => `secretsmanager.${r}.amazonaws.com`),
  ];
  const keys = [...new Set([...parameterRegions, ...secretRegions])]
    .sort()
    .map((r) => `arn:${partitionOf(r)}:kms:${r}:${account}:key/*`);
  statements.push({
    Sid: 'DecryptThroughThoseServices',
    Effect: 'Allow',
    Action: 'kms:Decrypt',
    Resource: keys.length === 1 ? keys[0]! : keys,
    Condition: { StringEquals: { 'kms:ViaService': services.length === 1 ? services[0]! : services } },
    explanation:
      'Decrypt a SecureString or secret kept under a customer managed key, only through Parameter Store or Secrets Manager (the AWS managed keys aws/ssm and aws/secretsmanager need no grant). Replace key/* with the key’s ARN to narrow it further.',
  });
  return {
    policy: {
      Version: '2012-10-17',
      Statement: statements.map(({ explanation: _, ...statement }) => statement),
    },
    explanations: statements.map((s) => ({ sid: s.Sid, text: s.explanation })),
  };
}
