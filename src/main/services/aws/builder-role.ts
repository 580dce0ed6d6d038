import {
  GetInstanceProfileCommand,
  SimulatePrincipalPolicyCommand,
  type EvaluationResult,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { BuilderRoleRead, BuilderRoleVerdict } from '../../../shared/aws';
import { describeReference, envReferences, secretRegion } from '../../../shared/environments';
import type { Env } from '../../../shared/project';
import { AppError } from '../../../shared/result';
import { parameterArn, partitionOf, secretNameArn } from './arns';
import type { AwsClients } from './clients';

/**
 * Whether the builder's role may read what the env references (issue 18), asked of IAM before anything is
 * launched: the instance profile exists and holds a role (GetInstanceProfile), and IAM's policy simulator
 * allows that role each read on each referenced name (SimulatePrincipalPolicy). The bake's preflight turns
 * the verdict into its errors; the permission check shows it. Only names and ARNs are involved: no value is
 * ever read here.
 *
 * A secret referenced by name has its full ARN looked up first (DescribeSecret, with the baking identity):
 * the simulator compares a policy's resources with the resource it is given as written, so the name pattern
 * `…:secret:prod/api-??????` is denied by a policy naming the secret's exact ARN (`…:secret:prod/api-AbC123`,
 * what the console copies) although the builder may read it.
 */

/** What the check calls: IAM, and Secrets Manager in a secret's region (only DescribeSecret). */
export type BuilderRoleClients = Pick<AwsClients, 'iam' | 'secretsManager'>;

/** What a bake of one project or environment resolves on its builder, and with which profile. */
export interface BuilderRoleSubject {
  env: Env;
  iamInstanceProfile?: string | undefined;
  /** The builder's region: a parameter (and a secret named without an ARN) is read there. */
  region: string;
  /** The account to name in the ARNs until IAM says which account the role is in. */
  accountId?: string | undefined;
}

export type IamAction = 'GetInstanceProfile' | 'SimulatePrincipalPolicy' | 'DescribeSecret';
/** How one IAM (or DescribeSecret) call is sent: the bake's `run.call` (limiter, retries, counting) or a plain send. */
export type IamCall = <T>(
  action: IamAction,
  send: (options: { abortSignal?: AbortSignal }) => Promise<T>,
) => Promise<T>;

const DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

export async function checkBuilderRole(
  clients: BuilderRoleClients,
  subject: BuilderRoleSubject,
  call: IamCall,
): Promise<BuilderRoleVerdict | undefined> {
  const { iam } = clients;
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
  const unlookable = await lookUpSecretArns(clients, subject, all, call);
  let refused = false;
  for (const action of ['ssm:GetParameters', 'secretsmanager:GetSecretValue'] as const) {
    const mine = all.filter((r) => r.action === action && r.problem === undefined);
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
  // Where the secret's ARN is unknown, only an allow of the name pattern means something: a policy naming
  // the exact ARN is denied on the pattern, so a denial there is no verdict on the role.
  for (const read of all) {
    const lookup = unlookable.get(read.variable);
    if (!lookup || read.decision === undefined || read.decision === 'allowed') continue;
    read.problem = 'unchecked';
    read.why = `IAM's policy simulator says ${read.decision} for the name pattern ${read.resource}, but the full ARN of secret ${lookup.name} in ${lookup.region} could not be looked up (secretsmanager:DescribeSecret is not allowed), and a role policy naming that exact ARN cannot be judged against the pattern.`;
    delete read.decision;
  }
  if (all.some((r) => r.problem === 'no-such-secret'))
    return { ...base, roleArn, status: 'no-such-secret', reads: all };
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
  const unchecked = [
    ...new Set(all.filter((r) => r.problem === 'unchecked').map((r) => unlookable.get(r.variable)!.name)),
  ];
  if (unchecked.length > 0)
    return {
      ...base,
      roleArn,
      status: 'unchecked',
      code: 'secretsmanager:DescribeSecret',
      message: `secretsmanager:DescribeSecret is not allowed, so the full ARN of secret ${unchecked.join(', ')} could not be looked up, and a role policy naming it exactly cannot be judged`,
      reads: all,
    };
  return { ...base, roleArn, status: 'allowed', reads: all };
}

/** A secret named without an ARN, and the region the builder reads it in. */
interface SecretByName {
  name: string;
  region: string;
}

/**
 * Replaces each by-name secret's pattern with its full ARN, as Secrets Manager says (DescribeSecret). A
 * secret that does not exist is marked so (`no-such-secret`). Returns the reads whose ARN could not be looked
 * up because the baking identity may not call DescribeSecret: they keep the pattern.
 */
async function lookUpSecretArns(
  clients: BuilderRoleClients,
  subject: BuilderRoleSubject,
  reads: BuilderRoleRead[],
  call: IamCall,
): Promise<Map<string, SecretByName>> {
  const byName = new Map<string, SecretByName>();
  for (const [variable, ref] of envReferences(subject.env)) {
    if ('secretsManager' in ref && !ref.secretsManager.startsWith('arn:'))
      byName.set(variable, { name: ref.secretsManager, region: subject.region });
  }
  const unlookable = new Map<string, SecretByName>();
  // One lookup per secret, however many variables read it.
  const answers = new Map<string, Promise<{ arn?: string; missing?: true; denied?: true }>>();
  const lookUp = async ({ name, region }: SecretByName) => {
    try {
      const out = await call('DescribeSecret', (o) =>
        clients.secretsManager(region).send(new DescribeSecretCommand({ SecretId: name }), o),
      );
      return out.ARN ? { arn: out.ARN } : {};
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ResourceNotFoundException') return { missing: true as const };
      if (code !== undefined && DENIED.has(code)) return { denied: true as const };
      throw error;
    }
  };
  for (const read of reads) {
    const secret = byName.get(read.variable);
    if (!secret) continue;
    const key = `${secret.region}\n${secret.name}`;
    if (!answers.has(key)) answers.set(key, lookUp(secret));
    const answer = await answers.get(key)!;
    if (answer.arn) read.resource = answer.arn;
    else if (answer.missing) {
      read.problem = 'no-such-secret';
      read.why = `There is no secret named ${secret.name} in ${secret.region} (Secrets Manager: ResourceNotFoundException), so the builder could never read ${read.variable}.`;
    } else if (answer.denied) unlookable.set(read.variable, secret);
  }
  return unlookable;
}

/** The verdict's first denied read, in the order the env lists them (parameters first, then secrets). */
export function firstDenied(verdict: BuilderRoleVerdict): BuilderRoleRead | undefined {
  return verdict.reads.find((r) => r.decision !== undefined && r.decision !== 'allowed');
}

/** The verdict's first read of a secret that does not exist. */
export function firstMissing(verdict: BuilderRoleVerdict): BuilderRoleRead | undefined {
  return verdict.reads.find((r) => r.problem === 'no-such-secret');
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
      parameters.push({
        variable,
        reference,
        action: 'ssm:GetParameters',
        resource: parameterArn(partition, region, account, ref.ssm),
      });
    } else {
      secrets.push({
        variable,
        reference,
        action: 'secretsmanager:GetSecretValue',
        resource: ref.secretsManager.startsWith('arn:')
          ? ref.secretsManager
          : secretNameArn(partition, secretRegion(ref.secretsManager) ?? region, account, ref.secretsManager),
      });
    }
  }
  return [...parameters, ...secrets];
}

/** AWS's error code: the SDK puts it in `name`; an error already translated keeps it in its details. */
function errorCode(error: unknown): string | undefined {
  if (error instanceof AppError) return error.details?.awsCode;
  const e = error as { name?: unknown; Code?: unknown } | null;
  if (typeof e?.Code === 'string') return e.Code;
  return typeof e?.name === 'string' ? e.name : undefined;
}
