import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { PublicAlias, ResolvedAlias } from '../../../shared/aws';
import { AMI_ID_PATTERN } from '../../../shared/project';
import { toImageSummary } from './base-image';
import type { AwsClients } from './clients';
import { targetContext, toAppError } from './errors';

/**
 * Public SSM parameters that AWS, Canonical and Debian keep pointing at their newest images. A project that
 * uses one always bakes on today's release without anyone editing an AMI id.
 */
export const PUBLIC_ALIASES: readonly PublicAlias[] = (['x86_64', 'arm64'] as const).flatMap(
  (architecture) => {
    const deb = architecture === 'x86_64' ? 'amd64' : 'arm64';
    return [
      {
        label: `Amazon Linux 2023 (latest, ${architecture})`,
        parameter: `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architecture}`,
        architecture,
      },
      {
        label: `Ubuntu 24.04 LTS (latest, ${architecture})`,
        parameter: `/aws/service/canonical/ubuntu/server/24.04/stable/current/${deb}/hvm/ebs-gp3/ami-id`,
        architecture,
      },
      {
        label: `Debian 12 (latest, ${architecture})`,
        parameter: `/aws/service/debian/release/12/latest/${deb}`,
        architecture,
      },
    ];
  },
);

const FATAL = new Set(['CREDENTIALS', 'SSO_EXPIRED', 'MFA_REQUIRED', 'UNAVAILABLE', 'CANCELLED']);

/** Each alias with the image it names in the target's region today, or why it names none. */
export async function resolvePublicAliases(
  clients: AwsClients,
  architecture?: string,
  signal?: AbortSignal,
): Promise<ResolvedAlias[]> {
  const send = signal ? { abortSignal: signal } : {};
  const context = targetContext(clients.target);
  const aliases = PUBLIC_ALIASES.filter((a) => !architecture || a.architecture === architecture);
  const values = await Promise.all(
    aliases.map(async (alias): Promise<{ imageId?: string; error?: string }> => {
      try {
        const reply = await clients.ssm.send(new GetParameterCommand({ Name: alias.parameter }), send);
        const value = reply.Parameter?.Value;
        return value && AMI_ID_PATTERN.test(value)
          ? { imageId: value }
          : { error: 'The parameter holds no AMI id.' };
      } catch (error) {
        if ((error as { name?: string }).name === 'ParameterNotFound') {
          return { error: `Not published in ${clients.target.region}.` };
        }
        const translated = toAppError(error, context);
        if (FATAL.has(translated.code)) throw translated;
        return { error: translated.message };
      }
    }),
  );
  const ids = [...new Set(values.flatMap((v) => (v.imageId ? [v.imageId] : [])))];
  const images = new Map<string, ReturnType<typeof toImageSummary>>();
  if (ids.length > 0) {
    try {
      // A filter, not ImageIds: one unknown id would make EC2 fail the whole ImageIds call.
      const reply = await clients.ec2.send(
        new DescribeImagesCommand({ Filters: [{ Name: 'image-id', Values: ids }] }),
        send,
      );
      for (const raw of reply.Images ?? []) {
        const image = toImageSummary(raw);
        if (image) images.set(image.imageId, image);
      }
    } catch (error) {
      throw toAppError(error, context);
    }
  }
  return aliases.map((alias, index) => {
    const value = values[index] ?? {};
    const image = value.imageId ? images.get(value.imageId) : undefined;
    if (image) return { ...alias, image };
    return {
      ...alias,
      error: value.error ?? `It names ${value.imageId ?? 'an image'}, which EC2 does not list.`,
    };
  });
}
