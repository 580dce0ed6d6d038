import { z } from 'zod';
import { SandboxError } from '../wire/errors';
import { qBool, qInt, type QueryTree } from '../wire/query';

/**
 * awsQuery spells lists `Name.member.1`, `Name.member.2` (and an empty list as `Name=`); this reads them
 * as arrays so each action validates its request with one zod schema, as the EC2 handlers do.
 */
export function memberList<T extends z.ZodType>(item: T) {
  return z
    .union([
      z.literal('').transform((): z.output<T>[] => []),
      z.object({ member: z.array(item) }).transform((v) => v.member),
    ])
    .optional();
}

export const TemplateSpecSchema = z.object({
  LaunchTemplateId: z.string().optional(),
  LaunchTemplateName: z.string().optional(),
  Version: z.string().optional(),
});

export const MixedInstancesPolicySchema = z.object({
  LaunchTemplate: z
    .object({
      LaunchTemplateSpecification: TemplateSpecSchema.optional(),
      Overrides: memberList(
        z.object({
          InstanceType: z.string().optional(),
          WeightedCapacity: z.string().optional(),
          LaunchTemplateSpecification: TemplateSpecSchema.optional(),
          ImageId: z.string().optional(),
          InstanceRequirements: z.unknown().optional(),
        }),
      ),
    })
    .optional(),
  InstancesDistribution: z.record(z.string(), z.string()).optional(),
});

export const PreferencesSchema = z.object({
  MinHealthyPercentage: qInt.optional(),
  MaxHealthyPercentage: qInt.optional(),
  InstanceWarmup: qInt.optional(),
  CheckpointPercentages: memberList(qInt),
  CheckpointDelay: qInt.optional(),
  SkipMatching: qBool.optional(),
  AutoRollback: qBool.optional(),
  ScaleInProtectedInstances: z.enum(['Refresh', 'Ignore', 'Wait']).optional(),
  StandbyInstances: z.enum(['Terminate', 'Ignore', 'Wait']).optional(),
  BakeTime: qInt.optional(),
  AlarmSpecification: z.unknown().optional(),
});

export const TagListSchema = memberList(
  z.object({
    Key: z.string(),
    Value: z.string().optional(),
    PropagateAtLaunch: qBool.optional(),
    ResourceId: z.string().optional(),
    ResourceType: z.string().optional(),
  }),
);

export function validation(message: string): SandboxError {
  return new SandboxError('ValidationError', message);
}

/**
 * Validates an Auto Scaling request: missing required parameters and bad values are both ValidationError,
 * worded as Auto Scaling words them (`1 validation error detected: …`).
 */
export function parseAs<T extends z.ZodType>(schema: T, tree: QueryTree): z.output<T> {
  const result = schema.safeParse(tree, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = issue.path.map(String).join('.');
  throw validation(
    `1 validation error detected: Value at '${name}' failed to satisfy constraint: ${issue.message}`,
  );
}

export function required<T>(value: T | undefined, name: string): T {
  if (value === undefined || value === '') {
    throw validation(
      `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}
