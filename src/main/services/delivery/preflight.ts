import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { AppError } from '../../../shared/result';
import { awsErrorCode } from '../bake/aws-call';
import type { DeliveryPlan } from './plan';
import type { RegionReach } from './reach';

/** A KMS key as DescribeKey found it in one region. */
export interface KeyInfo {
  arn: string;
  awsManaged: boolean;
}

export type RegionKeys = Record<string, KeyInfo | undefined>;

/**
 * Asks KMS about each region's key: it must exist there and be enabled — EC2 checks a key only after
 * CopyImage or RunInstances has answered, so a bad one would otherwise surface minutes later as an opaque
 * "internal error" on the copy — and an image shared with other accounts cannot use an AWS managed key.
 */
export async function checkKeys(
  plan: DeliveryPlan,
  reach: RegionReach,
  signal: AbortSignal,
): Promise<RegionKeys> {
  const entries = await Promise.all(
    plan.regions.map(async (region): Promise<[string, KeyInfo | undefined]> => {
      const key = plan.keys[region];
      if (!key) return [region, undefined];
      const handle = await reach.region(region);
      let metadata;
      try {
        metadata = (
          await handle.call(
            'DescribeKey',
            (o) => handle.clients.kms.send(new DescribeKeyCommand({ KeyId: key }), o),
            signal,
          )
        ).KeyMetadata;
      } catch (error) {
        if (awsErrorCode(error) === 'NotFoundException')
          throw invalid(
            `distribution.encryption: the KMS key ${key} does not exist in ${region}. KMS keys are regional: give ${region} its own key in kmsKeyIds.`,
          );
        throw error;
      }
      if (!metadata?.Arn) throw invalid(`distribution.encryption: KMS did not describe ${key} in ${region}.`);
      if (metadata.KeyState !== 'Enabled')
        throw invalid(
          `distribution.encryption: the KMS key ${key} in ${region} is ${metadata.KeyState ?? 'not enabled'}; EC2 can only encrypt with an enabled key.`,
        );
      const awsManaged = metadata.KeyManager === 'AWS';
      if (awsManaged && plan.shares)
        throw invalid(
          `distribution.encryption: ${key} in ${region} is an AWS managed key; an image encrypted with it cannot be shared with other accounts. Use a customer managed key.`,
        );
      return [region, { arn: metadata.Arn, awsManaged }];
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * The parameter can take an AMI id in every region: absent, or a String of the aws:ec2:image data type —
 * Parameter Store cannot change a parameter's data type, and a text parameter would not be validated.
 */
export async function checkParameter(
  plan: DeliveryPlan,
  reach: RegionReach,
  signal: AbortSignal,
): Promise<void> {
  const name = plan.parameter;
  if (!name) return;
  await Promise.all(
    plan.regions.map(async (region) => {
      const handle = await reach.region(region);
      try {
        const out = await handle.call(
          'GetParameter',
          (o) => handle.clients.ssm.send(new GetParameterCommand({ Name: name }), o),
          signal,
        );
        const p = out.Parameter;
        if (p && (p.Type !== 'String' || p.DataType !== 'aws:ec2:image'))
          throw invalid(
            `distribution.ssmParameter: ${name} already exists in ${region} as a ${p.Type ?? '?'} of data type ${p.DataType ?? 'text'}; Parameter Store cannot turn it into an aws:ec2:image parameter. Delete it or choose another name.`,
          );
      } catch (error) {
        if (awsErrorCode(error) !== 'ParameterNotFound') throw error;
      }
    }),
  );
}

/** CopyImage refuses a name the account already uses in the destination region. */
export async function checkNamesFree(
  plan: DeliveryPlan,
  reach: RegionReach,
  name: string,
  signal: AbortSignal,
): Promise<void> {
  await Promise.all(
    plan.copies.map(async (region) => {
      const handle = await reach.region(region);
      const out = await handle.call(
        'DescribeImages',
        (o) =>
          handle.clients.ec2.send(
            new DescribeImagesCommand({
              Owners: ['self'],
              Filters: [{ Name: 'name', Values: [name] }],
              IncludeDisabled: true,
            }),
            o,
          ),
        signal,
      );
      const clash = out.Images?.[0];
      if (clash)
        throw new AppError(
          'CONFLICT',
          `An image named "${name}" already exists in ${region} (${clash.ImageId ?? '?'}), where the bake would copy its image.`,
          {
            imageId: clash.ImageId ?? '',
          },
        );
    }),
  );
}

function invalid(message: string): AppError {
  return new AppError('INVALID_INPUT', message);
}
