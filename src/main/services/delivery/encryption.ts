import type { Distribution } from '../../../shared/project';

/**
 * Which KMS key encrypts the image in each region: `kmsKeyIds[region]`, else `kmsKeyId`, else — when the
 * project asks for encryption without naming a key — the AWS managed key alias/aws/ebs.
 *
 * Where the encryption happens is a choice, and Quadraxis makes it at launch: the builder's EBS volumes are
 * created encrypted with the home region's key (RunInstances BlockDeviceMappings Encrypted + KmsKeyId), so
 * CreateImage takes encrypted snapshots directly. The alternative — CreateImage from an unencrypted builder,
 * then CopyImage --encrypted --kms-key-id, then deregister the unencrypted original — copies every byte of
 * the image once more (minutes for a large volume), leaves an unencrypted image and snapshots in the
 * account while it runs (and behind, if the bake dies at the wrong moment), and needs a second cleanup path.
 * At launch nothing unencrypted ever exists; the cost is that the identity launching the builder needs
 * kms:CreateGrant/GenerateDataKeyWithoutPlaintext/Decrypt on the key (via EC2), which the generated policy
 * grants. Copies to other regions are CopyImage'd anyway, each with its own region's key: a KMS key never
 * leaves its region.
 */
export function keyFor(distribution: Distribution | undefined, region: string): string | undefined {
  const encryption = distribution?.encryption;
  if (!encryption) return undefined;
  return encryption.kmsKeyIds[region] ?? encryption.kmsKeyId ?? 'alias/aws/ebs';
}
