import { DescribeImagesCommand, DescribeInstanceTypesCommand, type _InstanceType } from '@aws-sdk/client-ec2';
import type { ResolvedBaseImage } from '../../../../shared/aws';
import { describeReference, envReferences } from '../../../../shared/environments';
import { SANDBOX_AWS_GUEST_ENDPOINT } from '../../../../protocol/sandbox-endpoint';
import { AppError } from '../../../../shared/result';
import { resolveBaseImage } from '../../aws/base-image';
import { checkBuilderRole, firstDenied, firstMissing } from '../../aws/builder-role';
import { awsErrorCode } from '../aws-call';
import type { BakeRun } from '../bake-run';
import { renderImageName } from '../image-name';
import { readPermission } from '../reference-failure';
import { buildUserData } from '../user-data';
import { BUFFERED_CONSOLE_CAP_MS } from './run-script';

export type ResolvedBase = ResolvedBaseImage;

/**
 * Everything that can be known before anything is launched: the credentials and region work, the instance
 * type exists and fits the image's architecture, the user data fits EC2's limit, the image name is valid
 * and free, and which AMI the base image means today. A problem found here costs nothing to fix.
 */
export async function preflight(run: BakeRun): Promise<string> {
  const { project } = run;
  const { ec2 } = run.connection.clients;
  // A Sandbox builder reaches the Sandbox's SSM and Secrets Manager at the one address its network forwards.
  const userData = buildUserData({
    bakeId: run.id,
    nonce: run.state.nonce,
    project,
    ...(run.connection.simulated ? { awsEndpoint: SANDBOX_AWS_GUEST_ENDPOINT } : {}),
  });
  const roleNote = await checkReferencedReads(run);

  // An SSM alias costs a GetParameter before the DescribeImages; both come out of the same EC2-side budget.
  if (project.baseImage.kind === 'ssm') {
    await run.region.limiter.acquire('GetParameter', run.signal);
    run.apiCalls++;
  }
  const base = await run.call('DescribeImages', (o) =>
    resolveBaseImage(run.connection.clients, project.baseImage, o.abortSignal),
  );
  if (project.completion.mode === 'wrapper') refuseWindows(base);
  if (base.rootDeviceType && base.rootDeviceType !== 'ebs') {
    throw new AppError(
      'INVALID_INPUT',
      `baseImage: ${base.imageId} has a ${base.rootDeviceType} root device; only EBS-backed images can be imaged.`,
    );
  }
  const hypervisor = await checkInstanceType(run, base);
  const size = project.rootVolume.sizeGiB;
  if (size !== undefined && base.rootVolumeSizeGiB !== undefined && size < base.rootVolumeSizeGiB) {
    throw new AppError(
      'INVALID_INPUT',
      `rootVolume.sizeGiB: ${size} GiB is smaller than the base image's ${base.rootVolumeSizeGiB} GiB root snapshot.`,
    );
  }

  const latest = await run.env.store.versions.latest(project.name);
  const imageName = renderImageName(project.imageName, {
    project: project.name,
    bakeId: run.id,
    version: (latest?.version ?? 0) + 1,
    at: run.record.createdAt,
  });
  const taken = await run.call('DescribeImages', (o) =>
    ec2.send(
      new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [imageName] }] }),
      o,
    ),
  );
  const clash = taken.Images?.[0];
  if (clash) {
    throw new AppError(
      'CONFLICT',
      `An image named "${imageName}" already exists in ${run.connection.region} (${clash.ImageId}).`,
      {
        imageId: clash.ImageId ?? '',
      },
    );
  }

  run.state.base = base;
  run.state.userData = userData;
  run.state.imageName = imageName;
  if (hypervisor) run.state.hypervisor = hypervisor;
  // A Xen type refuses the latest console output: read the buffered one from the start.
  if (hypervisor === 'xen') run.consoleFeed.bufferedOnly();
  await run.emit({ type: 'resource', kind: 'base-image', id: base.imageId, name: base.name });
  const xen =
    hypervisor === 'xen' && project.completion.mode === 'wrapper'
      ? `; ${project.instanceType} is a Xen type, whose console EC2 publishes late: the end of the script is read up to ${BUFFERED_CONSOLE_CAP_MS / 60_000} minutes after the builder powers off`
      : '';
  return `${base.imageId} (${base.name}), ${project.instanceType}, ${base.architecture}, image "${imageName}"${xen}${roleNote}`;
}

/**
 * The builder resolves env references with its instance profile: what IAM says of that profile's role
 * (builder-role.ts) ends the bake here when the profile is missing, empty or denied — a launch could only
 * fail after booting. Where the baking identity may not ask IAM, the bake goes on and the builder itself
 * reports a denial; the step's detail says it was not checked.
 */
async function checkReferencedReads(run: BakeRun): Promise<string> {
  const { project } = run;
  const refs = envReferences(project.env);
  if (refs.length === 0) return '';
  const [name, ref] = refs[0]!;
  const profile = project.iamInstanceProfile;
  if (!profile)
    throw new AppError(
      'INVALID_INPUT',
      `iamInstanceProfile: ${name} is a reference (${describeReference(ref)}) that the builder resolves with its instance profile, and the project has none. Set iamInstanceProfile to a profile whose role is allowed ${readPermission(project, name)} on ${refs.length > 1 ? `it and ${refs.length - 1} more` : 'it'} (quadraxis policy prints that instance-role policy).`,
      { reason: 'no-instance-profile', variable: name },
    );
  const verdict = await checkBuilderRole(
    run.connection.clients,
    { env: project.env, iamInstanceProfile: profile, region: run.connection.region },
    (action, send) => run.call(action, send),
  );
  const profileName = profile.split('/').at(-1)!;
  switch (verdict?.status) {
    case 'no-such-profile':
      throw new AppError(
        'INVALID_INPUT',
        `iamInstanceProfile: there is no instance profile named ${profileName} in this account, and the builder needs one to read ${name} (${describeReference(ref)}).`,
        { reason: 'no-instance-profile' },
      );
    case 'no-role':
      throw new AppError(
        'INVALID_INPUT',
        `iamInstanceProfile: instance profile ${profileName} holds no role, so the builder gets no credentials to read ${name}. Add a role to it.`,
        { reason: 'no-role' },
      );
    case 'denied': {
      const denied = firstDenied(verdict)!;
      throw new AppError(
        'ACCESS_DENIED',
        `iamInstanceProfile: the role ${verdict.roleArn?.split('/').at(-1) ?? ''} of instance profile ${profileName} may not ${denied.action} on ${denied.resource} (${denied.variable}): IAM's policy simulator says ${denied.decision}. Allow it (quadraxis policy --instance-role prints the policy the role needs).`,
        { reason: 'builder-role-denied', action: denied.action },
      );
    }
    case 'no-such-secret': {
      const missing = firstMissing(verdict)!;
      throw new AppError(
        'INVALID_INPUT',
        `env: ${missing.variable} references ${missing.reference}. ${missing.why ?? ''} Create the secret, or correct the reference.`,
        { reason: 'no-such-secret', variable: missing.variable },
      );
    }
    case 'unchecked':
      return `; the builder's read of its references not checked in advance (${verdict.message})`;
    default:
      return '';
  }
}

/**
 * The wrapper is a shell script run by cloud-init; Windows runs user data through EC2Launch, which would
 * ignore it, and the bake would wait out its whole timeout for a marker that never comes.
 */
function refuseWindows(base: ResolvedBase): void {
  const platform = base.platform ?? '';
  const details = base.platformDetails ?? '';
  if (!/windows/i.test(platform) && !/windows/i.test(details)) return;
  throw new AppError(
    'INVALID_INPUT',
    `baseImage: ${base.imageId} (${base.name}) is a Windows image (${details || platform}). Quadraxis waits for ` +
      'an init script through a shell wrapper that cloud-init runs, and Windows has neither: choose a Linux ' +
      'base image, or the "wait" completion mode with <powershell> user data for EC2Launch.',
    { reason: 'windows' },
  );
}

/** The instance type exists and runs the image's architecture; returns its hypervisor when EC2 says. */
async function checkInstanceType(run: BakeRun, base: ResolvedBase): Promise<string | undefined> {
  const type = run.project.instanceType;
  let architectures: string[] | undefined;
  let hypervisor: string | undefined;
  try {
    const out = await run.call('DescribeInstanceTypes', (o) =>
      run.connection.clients.ec2.send(
        new DescribeInstanceTypesCommand({ InstanceTypes: [type as _InstanceType] }),
        o,
      ),
    );
    architectures = out.InstanceTypes?.[0]?.ProcessorInfo?.SupportedArchitectures;
    hypervisor = out.InstanceTypes?.[0]?.Hypervisor;
  } catch (error) {
    if (awsErrorCode(error) !== 'InvalidInstanceType' && awsErrorCode(error) !== 'InvalidParameterValue')
      throw error;
  }
  if (!architectures) {
    throw new AppError(
      'INVALID_INPUT',
      `instanceType: EC2 offers no instance type "${type}" in ${run.connection.region}.`,
    );
  }
  if (!architectures.includes(base.architecture)) {
    throw new AppError(
      'INVALID_INPUT',
      `instanceType: ${type} runs ${architectures.join('/')}, but the base image ${base.imageId} is ${base.architecture}.`,
    );
  }
  return hypervisor;
}
