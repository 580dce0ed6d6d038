import { parameterName } from '../../../shared/environments';

/** The partition a region belongs to, for the ARNs policies and IAM's simulator are given. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

/** The parameter an env reference names (`/app/db:3` → `…:parameter/app/db`: no version selector). */
export function parameterArn(partition: string, region: string, account: string, ssm: string): string {
  return `arn:${partition}:ssm:${region}:${account}:parameter/${parameterName(ssm).replace(/^\//, '')}`;
}

/** A secret named without its ARN: `-??????` stands for the six characters Secrets Manager appends. */
export function secretNameArn(partition: string, region: string, account: string, name: string): string {
  return `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}-??????`;
}
