import { CreateImageCommand, DescribeImagesCommand, type TagSpecification } from '@aws-sdk/client-ec2';
import { AppError } from '../../../../shared/result';
import { imageTagSpecifications } from '../../aws/builder-launch';
import { TAG_BAKE_ID, TAG_SCRIPT_SHA256 } from '../../../../protocol/builder-tags';
import { awsErrorCode } from '../aws-call';
import type { BakeRun } from '../bake-run';
import { hasAwsAnswer } from './launch';

export function tagSpecifications(run: BakeRun, imageName: string, baseImageId: string): TagSpecification[] {
  const specs = imageTagSpecifications(run.project, {
    bakeId: run.id,
    baseImageId,
    imageName,
    environment: run.record.environment,
  });
  const sha = run.record.scriptSha256;
  return sha
    ? specs.map((s) => ({ ...s, Tags: [...(s.Tags ?? []), { Key: TAG_SCRIPT_SHA256, Value: sha }] }))
    : specs;
}

/** The image's description; its copies in other regions carry the same. */
export function imageDescription(run: BakeRun, baseImageId: string): string {
  return run.project.imageDescription ?? `Baked by Quadraxis from ${baseImageId} (bake ${run.id})`;
}

/**
 * CreateImage from the stopped builder, tagged (image and snapshots) with the project, bake id, base AMI,
 * script hash and app version. CreateImage has no idempotency token: if a retry meets our own name as a
 * duplicate, the first attempt did succeed, and the image carrying this bake's id is adopted.
 */
export async function createImage(run: BakeRun): Promise<string> {
  const { instanceId, imageName, base } = run.state;
  if (!instanceId || !imageName || !base)
    throw new AppError('INTERNAL', 'create-image ran before its inputs were known.');
  const ec2 = run.connection.clients.ec2;
  run.state.createImageSent = true;
  run.state.imageStartedAt = run.clock.now();
  let imageId: string | undefined;
  try {
    const out = await run.call('CreateImage', (o) =>
      ec2.send(
        new CreateImageCommand({
          InstanceId: instanceId,
          Name: imageName,
          Description: imageDescription(run, base.imageId),
          // The builder is already stopped, so the file system is consistent; a reboot would only restart it.
          NoReboot: true,
          TagSpecifications: tagSpecifications(run, imageName, base.imageId),
        }),
        o,
      ),
    );
    imageId = out.ImageId;
  } catch (error) {
    if (awsErrorCode(error) === 'InvalidAMIName.Duplicate') imageId = await ownImageNamed(run, imageName);
    if (!imageId) {
      if (hasAwsAnswer(error)) run.state.createImageAnswered = true;
      throw error;
    }
  }
  run.state.createImageAnswered = true;
  if (!imageId) throw new AppError('AWS_ERROR', 'CreateImage answered without an image id.');
  run.state.imageId = imageId;
  await run.emit({ type: 'resource', kind: 'image', id: imageId, name: imageName });
  return `creating ${imageId} "${imageName}"`;
}

async function ownImageNamed(run: BakeRun, name: string): Promise<string | undefined> {
  const out = await run.call('DescribeImages', (o) =>
    run.connection.clients.ec2.send(
      new DescribeImagesCommand({
        Owners: ['self'],
        Filters: [
          { Name: 'name', Values: [name] },
          { Name: `tag:${TAG_BAKE_ID}`, Values: [run.id] },
        ],
      }),
      o,
    ),
  );
  return out.Images?.[0]?.ImageId;
}
