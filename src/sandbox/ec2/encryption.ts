import type { KeyRecord, KmsRegion } from '../kms/keys';
import { SandboxError } from '../wire/errors';

/**
 * Which KMS key a new encrypted volume, snapshot or image copy gets: the one named, else the one its source
 * is encrypted with (same region only), else the region's EBS default. EC2 checks the key only when it uses
 * it, after the call has answered: a key that does not exist or is not enabled makes the launch or the copy
 * fail later, not the call. `usable` says which it will be.
 */
export interface KeyChoice {
  /** The key's ARN when it exists; otherwise what the caller named. */
  id: string;
  usable: boolean;
  key?: KeyRecord;
}

export function chooseKey(
  kms: KmsRegion,
  named: string | undefined,
  inherited: string | undefined,
): KeyChoice {
  const identifier = named ?? inherited ?? 'alias/aws/ebs';
  const key = kms.resolve(identifier);
  if (!key) return { id: identifier, usable: false };
  return { id: key.arn, usable: key.state === 'Enabled', key };
}

/** EC2 refuses a KmsKeyId without Encrypted=true up front (RunInstances, CopyImage). */
export function requireEncryptedFlag(kmsKeyId: string | undefined, encrypted: boolean | undefined): void {
  if (kmsKeyId !== undefined && encrypted !== true) {
    throw new SandboxError(
      'InvalidParameterDependency',
      'The parameter KmsKeyId requires the parameter Encrypted to be set.',
    );
  }
}

export const KMS_LAUNCH_FAILURE = {
  code: 'Client.InvalidKMSKey.InvalidState',
  message: 'Client.InvalidKMSKey.InvalidState: The KMS key provided is in an incorrect state',
};

export const COPY_FAILURE = {
  code: 'Server.InternalError',
  message: 'Copy image failed with an internal error.',
};
