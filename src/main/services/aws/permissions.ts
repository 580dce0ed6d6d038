import {
  CreateImageCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  GetConsoleOutputCommand,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type {
  PermissionAction,
  PermissionReport,
  PermissionResult,
  ResolvedBaseImage,
} from '../../../shared/aws';
import type { Project } from '../../../shared/project';
import { AppError } from '../../../shared/result';
import { ROLE_BUILDER, TAG_ROLE } from '../../../protocol/builder-tags';
import { resolveBaseImage } from './base-image';
import { builderRunInstancesInput, builderTags, imageTagSpecifications } from './builder-launch';
import type { AwsClients } from './clients';
import { cleanMessage, targetContext, toAppError } from './errors';
import { builderRoleChecks, builderRoleFails } from './permissions-builder-role';
import { deliveryChecks } from './permissions-delivery';
import { getCallerIdentity } from './identity';
import { PLACEHOLDER_TEMPLATE_MISSING, deployChecks, uncheckableResults } from './permissions-deploy';
import { describeTarget } from './target';

/** Well-formed ids of nothing: the calls that act on one existing resource are dry-run against these. */
export const PLACEHOLDER_IDS = {
  instance: 'i-00000000000000000',
  image: 'ami-00000000000000000',
  snapshot: 'snap-00000000000000000',
} as const;
const CHECK_BAKE_ID = 'bk_00000000000000000000';

const DENIED = new Set(['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException']);
/**
 * How a placeholder's "no such resource" is read. EC2 answers a DryRun's authorization before it looks the
 * resource up, so InvalidInstanceID.NotFound (or InvalidAMIID / InvalidSnapshot) means the caller got past
 * the authorization check: we report it as allowed. What it cannot prove is a condition on the real
 * resource's tags — that is evaluated against the real builder during a bake, and the note says so.
 */
const PLACEHOLDER_MISSING = /^Invalid(InstanceID|AMIID|SnapshotID|Snapshot)\.(NotFound|Malformed)$/;
const PLACEHOLDER_NOTE =
  'Authorized: EC2 checked permission, then found no such resource (a placeholder id). Conditions on the real resource’s tags apply during a bake.';
/** Failures that are about reaching AWS at all, not about one action: they end the whole check. */
const WHOLE_CHECK_FAILURES = new Set([
  'CREDENTIALS',
  'SSO_EXPIRED',
  'MFA_REQUIRED',
  'UNAVAILABLE',
  'CANCELLED',
]);

export interface CheckOptions {
  signal?: AbortSignal;
  /** Clients for the project's other regions (copies, keys); without it those are checked in this one. */
  regionClients?: (region: string) => Promise<AwsClients>;
}

/**
 * Dry-runs every call a bake of this project makes, with the project's real parameters, and says for each
 * whether this identity may make it; asks IAM whether the builder's role may read what the env references.
 * `resolved` skips resolving the base image again (the engine's preflight has it). Throws only when AWS
 * cannot be reached as this profile at all.
 */
export async function checkPermissions(
  clients: AwsClients,
  project: Project,
  resolved?: ResolvedBaseImage,
  options: CheckOptions = {},
): Promise<PermissionReport> {
  const { signal } = options;
  const send = signal ? { abortSignal: signal } : {};
  const identity = await getCallerIdentity(clients, signal);

  let baseImage = resolved;
  let baseImageError: AppError | undefined;
  if (!baseImage) {
    try {
      baseImage = await resolveBaseImage(clients, project.baseImage, signal);
    } catch (error) {
      baseImageError = toAppError(error, targetContext(clients.target));
      if (WHOLE_CHECK_FAILURES.has(baseImageError.code)) throw baseImageError;
    }
  }
  const imageId = baseImage?.imageId ?? PLACEHOLDER_IDS.image;
  const { ec2, ssm } = clients;
  const instance = { InstanceIds: [PLACEHOLDER_IDS.instance], DryRun: true };
  const checks: [PermissionAction, () => Promise<unknown>][] = [
    [
      'ec2:RunInstances',
      () => {
        if (!baseImage) throw baseImageError ?? new AppError('INTERNAL', 'No base image.');
        const input = builderRunInstancesInput(project, { bakeId: CHECK_BAKE_ID, image: baseImage });
        return ec2.send(new RunInstancesCommand({ ...input, DryRun: true }), send);
      },
    ],
    [
      'ec2:CreateTags',
      () =>
        ec2.send(
          new CreateTagsCommand({
            Resources: [PLACEHOLDER_IDS.instance],
            Tags: builderTags(project, { bakeId: CHECK_BAKE_ID, image: { imageId } }),
            DryRun: true,
          }),
          send,
        ),
    ],
    [
      'ec2:DescribeInstances',
      () =>
        ec2.send(
          new DescribeInstancesCommand({
            Filters: [{ Name: `tag:${TAG_ROLE}`, Values: [ROLE_BUILDER] }],
            DryRun: true,
          }),
          send,
        ),
    ],
    [
      'ec2:GetConsoleOutput',
      () =>
        ec2.send(new GetConsoleOutputCommand({ InstanceId: PLACEHOLDER_IDS.instance, DryRun: true }), send),
    ],
    ['ec2:StopInstances', () => ec2.send(new StopInstancesCommand(instance), send)],
    [
      'ec2:CreateImage',
      () =>
        ec2.send(
          new CreateImageCommand({
            InstanceId: PLACEHOLDER_IDS.instance,
            Name: `${project.name}-permission-check`,
            TagSpecifications: imageTagSpecifications(project, {
              bakeId: CHECK_BAKE_ID,
              baseImageId: imageId,
              imageName: `${project.name}-permission-check`,
            }),
            DryRun: true,
          }),
          send,
        ),
    ],
    [
      'ec2:DescribeImages',
      () => ec2.send(new DescribeImagesCommand({ ImageIds: [imageId], DryRun: true }), send),
    ],
    [
      'ec2:DescribeSnapshots',
      () => ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], DryRun: true }), send),
    ],
    ['ec2:TerminateInstances', () => ec2.send(new TerminateInstancesCommand(instance), send)],
    [
      'ec2:DeregisterImage',
      () => ec2.send(new DeregisterImageCommand({ ImageId: PLACEHOLDER_IDS.image, DryRun: true }), send),
    ],
    [
      'ec2:DeleteSnapshot',
      () => ec2.send(new DeleteSnapshotCommand({ SnapshotId: PLACEHOLDER_IDS.snapshot, DryRun: true }), send),
    ],
  ];
  const base = project.baseImage;
  if (base.kind === 'ssm') {
    // SSM has no DryRun; reading a public parameter is harmless, so the real call is the check.
    checks.push([
      'ssm:GetParameter',
      () => ssm.send(new GetParameterCommand({ Name: base.parameter }), send),
    ]);
  }

  checks.push(...deployChecks(clients, project, send));
  checks.push(
    ...deliveryChecks(clients, project, options.regionClients ?? (() => Promise.resolve(clients)), send),
  );

  // Asked at the same time as the dry runs: IAM is another service, with its own budget.
  const builderRole = builderRoleChecks(clients, project, {
    accountId: identity.account,
    signal,
    onError: (error) => {
      const translated = toAppError(error, targetContext(clients.target));
      if (WHOLE_CHECK_FAILURES.has(translated.code)) throw translated;
      return { code: translated.details?.awsCode ?? translated.code, message: translated.message };
    },
  });
  const [results, roles] = await Promise.all([checkEach(checks, clients), builderRole]);
  tagOnCreateOnly(results);
  results.push(...uncheckableResults(project));
  return {
    target: describeTarget(clients.target),
    identity,
    ...(baseImage ? { baseImage } : {}),
    results,
    ...(roles ? { builderRole: roles } : {}),
    ok:
      results.every((r) => r.status === 'allowed' || r.status === 'unchecked') &&
      !(roles ?? []).some(builderRoleFails),
  };
}

function checkEach(
  checks: [PermissionAction, () => Promise<unknown>][],
  clients: AwsClients,
): Promise<PermissionResult[]> {
  return Promise.all(
    // Deploys and retention both read launch templates and groups: one row per action, the first asked.
    onePerAction(checks).map(async ([action, call]): Promise<PermissionResult> => {
      try {
        await call();
        return { action, status: 'allowed' };
      } catch (error) {
        return interpret(action, error, clients);
      }
    }),
  );
}

function onePerAction<T extends [PermissionAction, unknown]>(checks: T[]): T[] {
  const seen = new Set<PermissionAction>();
  return checks.filter(([action]) => !seen.has(action) && seen.add(action));
}

function interpret(action: PermissionAction, error: unknown, clients: AwsClients): PermissionResult {
  const code =
    error instanceof AppError ? error.code : ((error as { name?: string } | null)?.name ?? 'Error');
  const message = cleanMessage((error as { message?: string } | null)?.message ?? String(error));
  if (code === 'DryRunOperation') return { action, status: 'allowed' };
  if (DENIED.has(code)) return { action, status: 'denied', code, message };
  if (PLACEHOLDER_MISSING.test(code) || PLACEHOLDER_TEMPLATE_MISSING.test(code))
    return { action, status: 'allowed', code, note: PLACEHOLDER_NOTE };
  const translated = toAppError(error, { ...targetContext(clients.target), action });
  if (WHOLE_CHECK_FAILURES.has(translated.code)) throw translated;
  return {
    action,
    status: 'error',
    code: translated.details?.awsCode ?? translated.code,
    message: translated.message,
  };
}

/**
 * Quadraxis tags only through RunInstances/CreateImage TagSpecifications, and the least-privilege policy
 * allows CreateTags only then. A standalone CreateTags being refused is therefore fine as long as the
 * RunInstances dry run — which EC2 authorizes together with the CreateTags its TagSpecifications imply —
 * was allowed.
 */
function tagOnCreateOnly(results: PermissionResult[]): void {
  const tags = results.find((r) => r.action === 'ec2:CreateTags');
  const run = results.find((r) => r.action === 'ec2:RunInstances');
  if (tags?.status !== 'denied' || run?.status !== 'allowed') return;
  tags.status = 'allowed';
  tags.note =
    'Allowed while creating (RunInstances with tags was allowed); tagging existing resources is not, which is all Quadraxis needs.';
}
