import {
  GetInstanceProfileCommand,
  SimulatePrincipalPolicyCommand,
  type EvaluationResult,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { BuilderRoleRead, BuilderRoleVerdict } from '../../../shared/aws';
import { describeReference, envReferences, parameterName, secretRegion } from '../../../shared/environments';
import type { Env } from '../../../shared/project';
import { AppError } from '../../../shared/result';

/**
 * Whether the builder's role may read what the env references (issue 18), asked of IAM before anything is
 * launched: the instance profile exists and holds a role (GetInstanceProfile), and IAM's policy simulator
 * allows that role each read on each referenced name (SimulatePrincipalPolicy). The bake's preflight turns
 * the verdict into its errors; the permission check shows it. Only names and ARNs are involved: no value is
 * ever read here.
 */

/** What a bake of one project or environment resolves on its builder, and with which profile. */
export interface BuilderRoleSubject {
  env: Env;
  iamInstanceProfile?: string | undefined;
  /** The builder's region: a parameter (and a secret named without an ARN) is read there. */
  region: string;
  /** The account to name in the ARNs until IAM says which account the role is in. */
  accountId?: string | undefined;
}

export type IamAction = 'GetInstanceProfile' | 'SimulatePrincipalPolicy';
/** How one IAM call is sent: the bake's `run.call` (limiter, retries, counting) or a plain send. */
export type IamCall = <T>(
  action: IamAction,
  send: (options: { abortSignal?: AbortSignal }) => Promise<T>,
) => Promise<T>;

const DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

export async function checkBuilderRole(
  iam: IAMClient,
  subject: BuilderRoleSubject,
  call: IamCall,
): Promise<BuilderRoleVerdict | undefined> {
  const refs = envReferences(subject.env);
  if (refs.length === 0) return undefined;
  const profile = subject.iamInstanceProfile;
  const partition = partitionOf(subject.region);
  const reads = (account: string, part = partition) =>
    referencedReads(subject.env, part, subject.region, account);
  if (!profile) return { status: 'no-profile', reads: reads(subject.accountId ?? '*') };
  const profileName = profile.split('/').at(-1)!;
  const base = { profile };

  let roleArn: string | undefined;
  try {
    const out = await call('GetInstanceProfile', (o) =>
      iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profileName }), o),
    );
    roleArn = out.InstanceProfile?.Roles?.[0]?.Arn;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'NoSuchEntity')
      return { ...base, status: 'no-such-profile', reads: reads(subject.accountId ?? '*') };
    if (code !== undefined && DENIED.has(code))
      return {
        ...base,
        status: 'unchecked',
        code: 'iam:GetInstanceProfile',
        message: 'iam:GetInstanceProfile is not allowed',
        reads: reads(subject.accountId ?? '*'),
      };
    throw error;
  }
  if (!roleArn) return { ...base, status: 'no-role', reads: reads(subject.accountId ?? '*') };

  // The role lives in the account the builder reads from: its ARN names the account and partition.
  const [, rolePartition = 'aws', , , account = '*'] = roleArn.split(':');
  const all = reads(account, rolePartition);
  let refused = false;
  for (const action of ['ssm:GetParameters', 'secretsmanager:GetSecretValue'] as const) {
    const mine = all.filter((r) => r.action === action);
    if (mine.length === 0) continue;
    let results: EvaluationResult[];
    try {
      results = await simulate(iam, call, roleArn, action, [...new Set(mine.map((r) => r.resource))]);
    } catch (error) {
      const code = errorCode(error);
      if (code !== undefined && DENIED.has(code)) {
        refused = true;
        continue;
      }
      throw error;
    }
    for (const read of mine) {
      const decision = results.find(
        (r) => r.EvalActionName === action && r.EvalResourceName === read.resource,
      )?.EvalDecision;
      if (decision) read.decision = decision;
    }
  }
  // A denial IAM has stated stands even if another read could not be asked about.
  const denied = all.some((r) => r.decision !== undefined && r.decision !== 'allowed');
  if (denied) return { ...base, roleArn, status: 'denied', reads: all };
  if (refused)
    return {
      ...base,
      roleArn,
      status: 'unchecked',
      code: 'iam:SimulatePrincipalPolicy',
      message: 'iam:SimulatePrincipalPolicy is not allowed',
      reads: all,
    };
  return { ...base, roleArn, status: 'allowed', reads: all };
}

/** The verdict's first denied read, in the order the env lists them (parameters first, then secrets). */
export function firstDenied(verdict: BuilderRoleVerdict): BuilderRoleRead | undefined {
  return verdict.reads.find((r) => r.decision !== undefined && r.decision !== 'allowed');
}

/** Every page of the simulator's answer (IAM pages at 100 results). */
async function simulate(
  iam: IAMClient,
  call: IamCall,
  roleArn: string,
  action: string,
  resources: string[],
): Promise<EvaluationResult[]> {
  const results: EvaluationResult[] = [];
  let marker: string | undefined;
  do {
    const out = await call('SimulatePrincipalPolicy', (o) =>
      iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: roleArn,
          ActionNames: [action],
          ResourceArns: resources,
          ...(marker ? { Marker: marker } : {}),
        }),
        o,
      ),
    );
    results.push(...(out.EvaluationResults ?? []));
    marker = out.IsTruncated ? out.Marker : undefined;
  } while (marker);
  return results;
}

/** Each referenced read as an action on a resource, parameters first (the order the bake reports them in). */
function referencedReads(env: Env, partition: string, region: string, account: string): BuilderRoleRead[] {
  const parameters: BuilderRoleRead[] = [];
  const secrets: BuilderRoleRead[] = [];
  for (const [variable, ref] of envReferences(env)) {
    const reference = describeReference(ref);
    if ('ssm' in ref) {
      const name = parameterName(ref.ssm).replace(/^\//, '');
      parameters.push({
        variable,
        reference,
        action: 'ssm:GetParameters',
        resource: `arn:${partition}:ssm:${region}:${account}:parameter/${name}`,
      });
    } else {
      secrets.push({
        variable,
        reference,
        action: 'secretsmanager:GetSecretValue',
        resource: ref.secretsManager.startsWith('arn:')
          ? ref.secretsManager
          : `arn:${partition}:secretsmanager:${secretRegion(ref.secretsManager) ?? region}:${account}:secret:${ref.secretsManager}-??????`,
      });
    }
  }
  return [...parameters, ...secrets];
}

function partitionOf(region: string): string {
  return region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

/** AWS's error code: the SDK puts it in `name`; an error already translated keeps it in its details. */
function errorCode(error: unknown): string | undefined {
  if (error instanceof AppError) return error.details?.awsCode;
  const e = error as { name?: unknown; Code?: unknown } | null;
  if (typeof e?.Code === 'string') return e.Code;
  return typeof e?.name === 'string' ? e.name : undefined;
}
