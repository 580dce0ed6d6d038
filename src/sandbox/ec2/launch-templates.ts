import { z } from 'zod';
import { SandboxError } from '../wire/errors';
import { missing, parseParams, qBool } from '../wire/query';
import { isoTime, type XmlValue } from '../wire/xml';
import type { Ec2Context, Ec2Handler } from './context';
import { checkIdFormat, invalidValue, notFound } from './errors';
import { applyFilters } from './filters';
import {
  LaunchTemplateDataSchema,
  mergeTemplateData,
  readTemplateData,
  templateDataXml,
  type LaunchTemplateData,
  type LaunchTemplateRecord,
  type LaunchTemplateVersionRecord,
} from './launch-templates-data';
import { paginate } from './pagination';
import { FilterListSchema, IdListSchema, PagingSchema, TagSpecificationListSchema } from './params';
import { tagSet, tagsFor } from './tags';

/**
 * EC2 launch templates: named, versioned launch parameters. Versions are immutable; the default version is
 * what `$Default` (and a launch without a version) means, the latest what `$Latest` means. Auto Scaling
 * groups launch from them (src/sandbox/autoscaling).
 */
const NAME_PATTERN = /^[a-zA-Z0-9().\-/_]{3,128}$/;
const ID_PATTERN = /^lt-[0-9a-f]{17}$/;
const VERSION_LIMIT = 10_000;

function createdBy(ctx: Ec2Context): string {
  return `arn:aws:iam::${ctx.accountId}:user/sandbox`;
}

/** A template by id or by name (exactly one of them), as every action that names one finds it. */
export function findTemplate(
  ctx: Pick<Ec2Context, 'region'>,
  id: string | undefined,
  name: string | undefined,
): LaunchTemplateRecord {
  if (id !== undefined && name !== undefined) {
    throw new SandboxError(
      'InvalidParameterCombination',
      'Both a launch template ID and a launch template name were specified. Specify one or the other.',
    );
  }
  if (id !== undefined) {
    if (!ID_PATTERN.test(id)) {
      throw new SandboxError(
        'InvalidLaunchTemplateId.Malformed',
        `The specified ID for the launch template '${id}' is not valid. The ID must be in the form lt-xxxxxxxxxxxxxxxxx.`,
      );
    }
    const found = ctx.region.launchTemplates.get(id);
    if (!found) {
      throw new SandboxError(
        'InvalidLaunchTemplateId.NotFound',
        `The specified launch template, with template ID ${id}, does not exist.`,
      );
    }
    return found;
  }
  if (name !== undefined) {
    const found = [...ctx.region.launchTemplates.values()].find((t) => t.name === name);
    if (!found) {
      throw new SandboxError(
        'InvalidLaunchTemplateName.NotFoundException',
        `The specified launch template, with template name ${name}, does not exist.`,
      );
    }
    return found;
  }
  return missing('LaunchTemplateId or LaunchTemplateName');
}

/** `$Latest`, `$Default` or a version number, as launches and describes resolve it. */
export function resolveTemplateVersion(
  template: LaunchTemplateRecord,
  version: string | undefined,
): LaunchTemplateVersionRecord {
  const number =
    version === undefined || version === '$Default'
      ? template.defaultVersion
      : version === '$Latest'
        ? template.latestVersion
        : /^\d{1,9}$/.test(version)
          ? Number(version)
          : undefined;
  const found = number === undefined ? undefined : template.versions.get(number);
  if (!found) {
    throw new SandboxError(
      'InvalidLaunchTemplateId.VersionNotFound',
      `Could not find launch template version ${version} for launch template ${template.launchTemplateId}.`,
    );
  }
  return found;
}

/** EC2 checks the AMI a template names when the version is made: its format, and that this region has it. */
function checkData(ctx: Ec2Context, data: LaunchTemplateData): void {
  const imageId = data.imageId;
  if (imageId === undefined || imageId.startsWith('resolve:ssm:')) return;
  checkIdFormat('image', imageId);
  if (!ctx.region.images.has(imageId)) throw notFound('image', [imageId]);
}

function templateXml(template: LaunchTemplateRecord): XmlValue {
  return {
    launchTemplateId: template.launchTemplateId,
    launchTemplateName: template.name,
    createTime: isoTime(template.createdAt),
    createdBy: template.createdBy,
    defaultVersionNumber: template.defaultVersion,
    latestVersionNumber: template.latestVersion,
    tagSet: template.tags.size > 0 ? tagSet(template.tags) : undefined,
  };
}

function versionXml(template: LaunchTemplateRecord, version: LaunchTemplateVersionRecord): XmlValue {
  return {
    launchTemplateId: template.launchTemplateId,
    launchTemplateName: template.name,
    versionNumber: version.versionNumber,
    versionDescription: version.description,
    createTime: isoTime(version.createdAt),
    createdBy: version.createdBy,
    defaultVersion: version.versionNumber === template.defaultVersion,
    launchTemplateData: templateDataXml(version.data),
  };
}

const CreateSchema = z.object({
  LaunchTemplateName: z.string().optional(),
  LaunchTemplateData: LaunchTemplateDataSchema.optional(),
  VersionDescription: z.string().max(255).optional(),
  ClientToken: z.string().max(128).optional(),
  TagSpecification: TagSpecificationListSchema,
});

export const createLaunchTemplate: Ec2Handler = (ctx, tree) => {
  const p = parseParams(CreateSchema, tree);
  const name = p.LaunchTemplateName ?? missing('LaunchTemplateName');
  if (!p.LaunchTemplateData) missing('LaunchTemplateData');
  if (p.ClientToken) {
    const existing = [...ctx.region.launchTemplates.values()].find((t) => t.clientTokens.has(p.ClientToken!));
    if (existing) return { launchTemplate: templateXml(existing) };
  }
  if (!NAME_PATTERN.test(name)) {
    throw new SandboxError(
      'InvalidLaunchTemplateName.MalformedException',
      'A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.',
    );
  }
  if ([...ctx.region.launchTemplates.values()].some((t) => t.name === name)) {
    throw new SandboxError(
      'InvalidLaunchTemplateName.AlreadyExistsException',
      `Launch template name already in use.`,
    );
  }
  const data = readTemplateData(p.LaunchTemplateData);
  checkData(ctx, data);
  const tags = tagsFor(p.TagSpecification, 'launch-template', ['launch-template']);
  const template: LaunchTemplateRecord = {
    launchTemplateId: ctx.ids.next('lt'),
    name,
    region: ctx.region.region,
    createdAt: ctx.now,
    createdBy: createdBy(ctx),
    defaultVersion: 1,
    latestVersion: 1,
    versions: new Map([
      [
        1,
        {
          versionNumber: 1,
          ...(p.VersionDescription !== undefined ? { description: p.VersionDescription } : {}),
          createdAt: ctx.now,
          createdBy: createdBy(ctx),
          data,
        },
      ],
    ]),
    tags,
    clientTokens: new Map(p.ClientToken ? [[p.ClientToken, 1]] : []),
  };
  ctx.region.launchTemplates.set(template.launchTemplateId, template);
  return { launchTemplate: templateXml(template) };
};

const CreateVersionSchema = z.object({
  LaunchTemplateId: z.string().optional(),
  LaunchTemplateName: z.string().optional(),
  LaunchTemplateData: LaunchTemplateDataSchema.optional(),
  SourceVersion: z.string().optional(),
  VersionDescription: z.string().max(255).optional(),
  ClientToken: z.string().max(128).optional(),
  ResolveAlias: qBool.optional(),
});

export const createLaunchTemplateVersion: Ec2Handler = (ctx, tree) => {
  const p = parseParams(CreateVersionSchema, tree);
  const template = findTemplate(ctx, p.LaunchTemplateId, p.LaunchTemplateName);
  if (!p.LaunchTemplateData) missing('LaunchTemplateData');
  const replayed = p.ClientToken ? template.clientTokens.get(p.ClientToken) : undefined;
  if (replayed !== undefined) {
    return { launchTemplateVersion: versionXml(template, template.versions.get(replayed)!) };
  }
  if (template.versions.size >= VERSION_LIMIT) {
    throw new SandboxError(
      'LaunchTemplateVersionLimitExceeded',
      `You have reached the maximum number of launch template versions (${VERSION_LIMIT}) for ${template.launchTemplateId}.`,
    );
  }
  const given = readTemplateData(p.LaunchTemplateData);
  const data =
    p.SourceVersion !== undefined
      ? mergeTemplateData(resolveTemplateVersion(template, p.SourceVersion).data, given)
      : given;
  checkData(ctx, data);
  const versionNumber = template.latestVersion + 1;
  const version: LaunchTemplateVersionRecord = {
    versionNumber,
    ...(p.VersionDescription !== undefined ? { description: p.VersionDescription } : {}),
    createdAt: ctx.now,
    createdBy: createdBy(ctx),
    data,
  };
  template.versions.set(versionNumber, version);
  template.latestVersion = versionNumber;
  if (p.ClientToken) template.clientTokens.set(p.ClientToken, versionNumber);
  return { launchTemplateVersion: versionXml(template, version) };
};

const DescribeSchema = z.object({
  LaunchTemplateId: IdListSchema,
  LaunchTemplateName: IdListSchema,
  Filter: FilterListSchema,
  ...PagingSchema,
});

export const describeLaunchTemplates: Ec2Handler = (ctx, tree) => {
  const p = parseParams(DescribeSchema, tree);
  let candidates = [...ctx.region.launchTemplates.values()];
  if (p.LaunchTemplateId?.length)
    candidates = p.LaunchTemplateId.map((id) => findTemplate(ctx, id, undefined));
  if (p.LaunchTemplateName?.length)
    candidates = p.LaunchTemplateName.map((name) => findTemplate(ctx, undefined, name));
  const matching = applyFilters(
    candidates,
    p.Filter,
    {
      'launch-template-name': (t) => t.name,
      'create-time': (t) => isoTime(t.createdAt),
    },
    (t) => t.tags,
  );
  const { page, nextToken } = paginate(matching, 'DescribeLaunchTemplates', p.MaxResults, p.NextToken, {
    min: 1,
    max: 200,
  });
  return { launchTemplates: page.map(templateXml), nextToken };
};

const DescribeVersionsSchema = z.object({
  LaunchTemplateId: z.string().optional(),
  LaunchTemplateName: z.string().optional(),
  LaunchTemplateVersion: z.array(z.string()).optional(),
  MinVersion: z.string().optional(),
  MaxVersion: z.string().optional(),
  Filter: FilterListSchema,
  ResolveAlias: qBool.optional(),
  ...PagingSchema,
});

type VersionRow = { template: LaunchTemplateRecord; version: LaunchTemplateVersionRecord };

export const describeLaunchTemplateVersions: Ec2Handler = (ctx, tree) => {
  const p = parseParams(DescribeVersionsSchema, tree);
  const wanted = p.LaunchTemplateVersion ?? [];
  let rows: VersionRow[];
  if (p.LaunchTemplateId === undefined && p.LaunchTemplateName === undefined) {
    // Across every template in the region: EC2 allows only $Latest and $Default then.
    if (wanted.length === 0 || wanted.some((v) => v !== '$Latest' && v !== '$Default')) {
      throw invalidValue(
        'To describe the versions of all launch templates, specify only $Latest and/or $Default as versions.',
      );
    }
    rows = [...ctx.region.launchTemplates.values()].flatMap((template) =>
      unique(wanted.map((v) => resolveTemplateVersion(template, v))).map((version) => ({
        template,
        version,
      })),
    );
  } else {
    const template = findTemplate(ctx, p.LaunchTemplateId, p.LaunchTemplateName);
    const min = p.MinVersion === undefined ? undefined : versionNumber(template, p.MinVersion);
    const max = p.MaxVersion === undefined ? undefined : versionNumber(template, p.MaxVersion);
    const versions =
      wanted.length > 0
        ? unique(wanted.map((v) => resolveTemplateVersion(template, v)))
        : [...template.versions.values()].filter(
            (v) =>
              (min === undefined || v.versionNumber >= min) && (max === undefined || v.versionNumber <= max),
          );
    rows = versions.map((version) => ({ template, version }));
  }
  const matching = applyFilters(
    rows,
    p.Filter,
    {
      'image-id': (r) => r.version.data.imageId,
      'instance-type': (r) => r.version.data.instanceType,
      'is-default-version': (r) => r.version.versionNumber === r.template.defaultVersion,
      'iam-instance-profile': (r) =>
        r.version.data.iamInstanceProfile?.arn ?? r.version.data.iamInstanceProfile?.name,
      'create-time': (r) => isoTime(r.version.createdAt),
    },
    () => new Map(),
  );
  const { page, nextToken } = paginate(
    matching,
    'DescribeLaunchTemplateVersions',
    p.MaxResults,
    p.NextToken,
    {
      min: 1,
      max: 200,
    },
  );
  return {
    launchTemplateVersionSet: page.map((r) => versionXml(r.template, r.version)),
    nextToken,
  };
};

function versionNumber(template: LaunchTemplateRecord, version: string): number {
  return resolveTemplateVersion(template, version).versionNumber;
}

function unique(versions: LaunchTemplateVersionRecord[]): LaunchTemplateVersionRecord[] {
  return [...new Map(versions.map((v) => [v.versionNumber, v])).values()];
}

const ModifySchema = z.object({
  LaunchTemplateId: z.string().optional(),
  LaunchTemplateName: z.string().optional(),
  SetDefaultVersion: z.string().optional(),
  ClientToken: z.string().max(128).optional(),
});

export const modifyLaunchTemplate: Ec2Handler = (ctx, tree) => {
  const p = parseParams(ModifySchema, tree);
  const template = findTemplate(ctx, p.LaunchTemplateId, p.LaunchTemplateName);
  if (p.SetDefaultVersion !== undefined) {
    if (!/^\d{1,9}$/.test(p.SetDefaultVersion) && p.SetDefaultVersion !== '$Latest') {
      throw invalidValue(
        `Invalid value '${p.SetDefaultVersion}' for SetDefaultVersion: use a version number.`,
      );
    }
    template.defaultVersion = resolveTemplateVersion(template, p.SetDefaultVersion).versionNumber;
  }
  return { launchTemplate: templateXml(template) };
};

const DeleteSchema = z.object({
  LaunchTemplateId: z.string().optional(),
  LaunchTemplateName: z.string().optional(),
});

export const deleteLaunchTemplate: Ec2Handler = (ctx, tree) => {
  const p = parseParams(DeleteSchema, tree);
  const template = findTemplate(ctx, p.LaunchTemplateId, p.LaunchTemplateName);
  ctx.region.launchTemplates.delete(template.launchTemplateId);
  return { launchTemplate: templateXml(template) };
};
