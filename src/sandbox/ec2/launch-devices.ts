import type { z } from 'zod';
import { SandboxError } from '../wire/errors';
import { requireEncryptedFlag } from './encryption';
import type { BlockDeviceMappingListSchema } from './params';
import type { ImageRecord } from './records';

export interface ResolvedDevice {
  deviceName: string;
  snapshotId?: string;
  volumeSize: number;
  volumeType: string;
  iops?: number;
  throughput?: number;
  deleteOnTermination: boolean;
  /** Encrypted because the request asks or the snapshot is; the key as named or inherited (not resolved yet). */
  encrypted?: boolean;
  kmsKeyId?: string;
}

type Mappings = z.output<typeof BlockDeviceMappingListSchema>;

/**
 * The volumes an instance gets: the image's block devices, as the request's mappings amend them (bigger
 * size, other type, NoDevice to drop one) plus new empty volumes the request adds.
 */
export function resolveDevices(image: ImageRecord, mappings: Mappings): ResolvedDevice[] {
  const devices: ResolvedDevice[] = image.devices.map((d) => ({ ...d }));
  for (const mapping of mappings ?? []) {
    const index = devices.findIndex((d) => d.deviceName === mapping.DeviceName);
    if (mapping.NoDevice !== undefined) {
      if (mapping.DeviceName === image.rootDeviceName) {
        throw new SandboxError(
          'InvalidBlockDeviceMapping',
          `The device '${mapping.DeviceName}' is the root device and cannot be removed`,
        );
      }
      if (index >= 0) devices.splice(index, 1);
      continue;
    }
    const ebs = mapping.Ebs;
    if (!ebs) continue;
    if (index < 0) {
      if (ebs.VolumeSize === undefined && ebs.SnapshotId === undefined) {
        throw new SandboxError(
          'MissingParameter',
          'The request must contain the parameter size or snapshotId',
        );
      }
      devices.push(
        withOptions(
          {
            deviceName: mapping.DeviceName,
            volumeSize: ebs.VolumeSize ?? 8,
            volumeType: ebs.VolumeType ?? 'gp2',
            deleteOnTermination: ebs.DeleteOnTermination ?? true,
            ...(ebs.SnapshotId ? { snapshotId: ebs.SnapshotId } : {}),
          },
          ebs,
        ),
      );
      continue;
    }
    const existing = devices[index]!;
    if (ebs.VolumeSize !== undefined && ebs.VolumeSize < existing.volumeSize) {
      throw new SandboxError(
        'InvalidBlockDeviceMapping',
        `Volume of size ${ebs.VolumeSize}GB is smaller than snapshot '${existing.snapshotId ?? ''}', expect size >= ${existing.volumeSize}GB`,
      );
    }
    devices[index] = withOptions(
      {
        ...existing,
        volumeSize: ebs.VolumeSize ?? existing.volumeSize,
        volumeType: ebs.VolumeType ?? existing.volumeType,
        deleteOnTermination: ebs.DeleteOnTermination ?? existing.deleteOnTermination,
      },
      ebs,
    );
  }
  return devices;
}

function withOptions(
  device: ResolvedDevice,
  ebs: {
    Iops?: number | undefined;
    Throughput?: number | undefined;
    Encrypted?: boolean | undefined;
    KmsKeyId?: string | undefined;
  },
): ResolvedDevice {
  requireEncryptedFlag(ebs.KmsKeyId, ebs.Encrypted ?? device.encrypted);
  // An encrypted snapshot makes an encrypted volume whatever the request says; a named key re-encrypts it.
  const encrypted = ebs.Encrypted === true || device.encrypted === true;
  return {
    ...device,
    ...(ebs.Iops !== undefined ? { iops: ebs.Iops } : {}),
    ...(ebs.Throughput !== undefined ? { throughput: ebs.Throughput } : {}),
    ...(encrypted ? { encrypted: true } : {}),
    ...(encrypted && (ebs.KmsKeyId ?? device.kmsKeyId) ? { kmsKeyId: ebs.KmsKeyId ?? device.kmsKeyId } : {}),
  };
}
