import { z } from 'zod';
import { TAG_SIMULATED } from '../../protocol/builder-tags';
import { SandboxError } from '../wire/errors';
import { missing, parseParams } from '../wire/query';
import type { XmlValue } from '../wire/xml';
import type { Ec2Context, Ec2Handler } from './context';
import { checkIdFormat, notFound, type IdKind } from './errors';
import { TagSchema } from './params';
import type { TagSpecificationListSchema } from './params';
import type { Tags } from './records';

const MAX_TAGS = 50;

export function tagSet(tags: Tags): XmlValue[] {
  return [...tags].map(([key, value]) => ({ key, value }));
}

function validateTag(key: string, value: string): void {
  if (key.length < 1 || key.length > 128)
    throw new SandboxError('InvalidParameterValue', `Tag key '${key}' must be 1–128 characters`);
  if (value.length > 256)
    throw new SandboxError('InvalidParameterValue', `Tag value for '${key}' exceeds 256 characters`);
  if (key.toLowerCase().startsWith('aws:')) {
    throw new SandboxError(
      'InvalidParameterValue',
      "Tag keys starting with 'aws:' are reserved for internal use",
    );
  }
}

export function addTags(target: Tags, tags: { Key: string; Value?: string | undefined }[]): void {
  for (const tag of tags) validateTag(tag.Key, tag.Value ?? '');
  const merged = new Map(target);
  for (const tag of tags) merged.set(tag.Key, tag.Value ?? '');
  if (merged.size > MAX_TAGS)
    throw new SandboxError(
      'TagLimitExceeded',
      `The maximum number of tags per resource (${MAX_TAGS}) was exceeded`,
    );
  for (const tag of tags) target.set(tag.Key, tag.Value ?? '');
}

type TagSpecifications = z.output<typeof TagSpecificationListSchema>;

/**
 * The tags a call's TagSpecifications give to one resource type. Types the action cannot tag are refused,
 * as EC2 refuses them; everything still carries TAG_SIMULATED.
 */
export function tagsFor(specs: TagSpecifications, resourceType: string, allowed: string[]): Tags {
  for (const spec of specs ?? []) {
    if (!allowed.includes(spec.ResourceType)) {
      throw new SandboxError(
        'InvalidParameterValue',
        `'${spec.ResourceType}' is not a valid taggable resource type for this operation.`,
      );
    }
  }
  const tags: Tags = new Map();
  for (const spec of specs ?? []) if (spec.ResourceType === resourceType) addTags(tags, spec.Tag ?? []);
  tags.set(TAG_SIMULATED, 'true');
  return tags;
}

const KIND_BY_PREFIX: Record<string, IdKind> = {
  i: 'instance',
  ami: 'image',
  snap: 'snapshot',
  vol: 'volume',
};

function resolveTags(ctx: Ec2Context, resourceId: string): Tags {
  const tags = ctx.region.tagsOf(resourceId);
  if (tags) return tags;
  const kind = KIND_BY_PREFIX[resourceId.split('-')[0] ?? ''];
  if (kind) {
    checkIdFormat(kind, resourceId);
    throw notFound(kind, [resourceId]);
  }
  throw new SandboxError('InvalidID', `The ID '${resourceId}' is not valid`);
}

const CreateTagsSchema = z.object({
  ResourceId: z.array(z.string()).optional(),
  Tag: z.array(TagSchema).optional(),
});

export const createTags: Ec2Handler = (ctx, tree) => {
  const p = parseParams(CreateTagsSchema, tree);
  if (!p.ResourceId?.length) missing('ResourceId');
  if (!p.Tag?.length) missing('Tag');
  const targets = p.ResourceId.map((id) => resolveTags(ctx, id));
  for (const target of targets) addTags(target, p.Tag);
  return { return: true };
};

const DeleteTagsSchema = z.object({
  ResourceId: z.array(z.string()).optional(),
  Tag: z.array(TagSchema).optional(),
});

/** Without tags it removes all of a resource's tags; with a value, only a tag holding that value. */
export const deleteTags: Ec2Handler = (ctx, tree) => {
  const p = parseParams(DeleteTagsSchema, tree);
  if (!p.ResourceId?.length) missing('ResourceId');
  const targets = p.ResourceId.map((id) => resolveTags(ctx, id));
  for (const target of targets) {
    const doomed = p.Tag?.length ? p.Tag : [...target.keys()].map((Key) => ({ Key, Value: undefined }));
    for (const tag of doomed) {
      // The simulated marker is not the caller's to remove: it is what keeps a fake AMI from passing as real.
      if (tag.Key === TAG_SIMULATED) continue;
      if (tag.Value === undefined || target.get(tag.Key) === tag.Value) target.delete(tag.Key);
    }
  }
  return { return: true };
};
