import { imageForSsmParameter } from '../catalogue/base-images';
import { stableId } from '../ids';

/**
 * The public parameters AWS publishes under /aws/service/ that name the newest Amazon Linux, Ubuntu and
 * Debian images of a region. They are read-only and the same for every account.
 */
export function isPublicParameterName(name: string): boolean {
  return name.startsWith('/aws/service/');
}

export function publicParameter(name: string, region: string) {
  const image = imageForSsmParameter(name);
  if (!image) return undefined;
  return {
    Name: name,
    Type: 'String',
    Value: stableId('ami', region, image.name),
    Version: 1,
    LastModifiedDate: Date.parse(image.creationDate) / 1000,
    ARN: `arn:aws:ssm:${region}::parameter${name}`,
    DataType: 'text',
  };
}
