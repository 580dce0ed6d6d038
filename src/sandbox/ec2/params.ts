import { z } from 'zod';
import { qBool, qInt } from '../wire/query';

/** Pieces of EC2 request shapes several actions share, as the Query protocol spells them. */
export const FilterListSchema = z
  .array(z.object({ Name: z.string().min(1), Value: z.array(z.string()).optional() }))
  .optional();

export const IdListSchema = z.array(z.string()).optional();

export const TagSchema = z.object({ Key: z.string(), Value: z.string().optional() });

export const TagSpecificationListSchema = z
  .array(z.object({ ResourceType: z.string(), Tag: z.array(TagSchema).optional() }))
  .optional();

export const EbsSchema = z.object({
  DeleteOnTermination: qBool.optional(),
  Iops: qInt.optional(),
  SnapshotId: z.string().optional(),
  VolumeSize: qInt.optional(),
  VolumeType: z.enum(['standard', 'io1', 'io2', 'gp2', 'sc1', 'st1', 'gp3']).optional(),
  Throughput: qInt.optional(),
  Encrypted: qBool.optional(),
  KmsKeyId: z.string().min(1).optional(),
});

export const BlockDeviceMappingListSchema = z
  .array(
    z.object({
      DeviceName: z.string().min(1),
      Ebs: EbsSchema.optional(),
      NoDevice: z.string().optional(),
      VirtualName: z.string().optional(),
    }),
  )
  .optional();

export const PagingSchema = {
  MaxResults: qInt.optional(),
  NextToken: z.string().optional(),
};
