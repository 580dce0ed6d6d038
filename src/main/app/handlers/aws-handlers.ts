import { SANDBOX_PROFILE, type TargetRequest } from '../../../shared/aws';
import type { TargetSelection } from '../../../shared/ipc/aws.contract';
import { isAppError } from '../../../shared/result';
import { generatePolicy } from '../../services/aws/policy';
import { generateInstanceRolePolicy } from '../../services/aws/policy-instance-role';
import { putSecureParameter } from '../../services/aws/secure-parameter';
import type { AppContext } from '../app-context';
import type { Handlers } from '../dispatch';

type AwsChannel =
  | 'aws:profiles'
  | 'aws:identity'
  | 'aws:check-permissions'
  | 'aws:policy'
  | 'aws:mfa-answer'
  | 'aws:search-images'
  | 'aws:list-aliases'
  | 'aws:preview-image'
  | 'aws:list-instance-types'
  | 'aws:list-vpcs'
  | 'aws:list-subnets'
  | 'aws:list-security-groups'
  | 'aws:list-key-pairs'
  | 'aws:put-secure-parameter';

/**
 * The profile and region a call uses: what the renderer asked for, else what the header chose (settings),
 * else the profile the AWS CLI would use, else the Sandbox. The header's region belongs to the header's
 * profile; another profile gets its own default.
 */
export async function resolveSelection(
  ctx: AppContext,
  requested: TargetSelection = {},
): Promise<TargetRequest> {
  const settings = ctx.settings.get();
  const chosen = settings.profile ?? (await ctx.runtime.aws.profiles()).currentProfile ?? SANDBOX_PROFILE;
  const profile = requested.profile ?? chosen;
  const region = requested.region ?? (profile === chosen ? settings.region : undefined);
  return { profile, ...(region ? { region } : {}) };
}

export function awsHandlers(ctx: AppContext): Pick<Handlers, AwsChannel> {
  const { aws } = ctx.runtime;
  const { pickers } = aws;
  const clientsFor = async (target: TargetSelection) => aws.clients(await resolveSelection(ctx, target));
  const options = (refresh: boolean) => ({ refresh });

  return {
    'aws:profiles': (request) => aws.profiles(request?.refresh ?? false),
    'aws:identity': async ({ refresh, ...selection }) => {
      const target = await resolveSelection(ctx, selection);
      if (refresh) aws.forget(target.profile);
      return aws.identity(target);
    },
    'aws:check-permissions': async ({ target, project }) =>
      aws.checkPermissions(await resolveSelection(ctx, withProjectRegion(target, project.region)), project),
    'aws:policy': async ({ target, project, forms }) => {
      const request = await resolveSelection(ctx, withProjectRegion(target, project.region));
      try {
        const { target: resolved, identity } = await aws.identity(request);
        const scope = { accountId: identity.account, region: resolved.region };
        const instanceRole = generateInstanceRolePolicy(project, scope);
        return {
          ...generatePolicy(project, { ...scope, forms }),
          ...scope,
          ...(instanceRole ? { instanceRole } : {}),
        };
      } catch (error) {
        // A policy is still worth having without an account to scope it to: say why it is broader.
        const reason = isAppError(error) ? error.message : 'the profile could not be reached.';
        const instanceRole = generateInstanceRolePolicy(project);
        return {
          ...generatePolicy(project, { forms }),
          note: `Not scoped to an account: ${reason}`,
          ...(instanceRole ? { instanceRole } : {}),
        };
      }
    },
    'aws:put-secure-parameter': async ({ target, name, value, keyId, description }) => {
      const resolved = await resolveSelection(ctx, target);
      return putSecureParameter(await aws.clients(resolved), { name, value, keyId, description });
    },
    'aws:mfa-answer': ({ requestId, code }) => ({ accepted: ctx.mfa.answer(requestId, code) }),
    'aws:search-images': async ({ target, refresh, query }) =>
      pickers.searchImages(await clientsFor(target), query, options(refresh)),
    'aws:list-aliases': async ({ target, refresh, architecture }) =>
      pickers.publicAliases(await clientsFor(target), architecture, options(refresh)),
    'aws:preview-image': async ({ target, refresh, baseImage }) =>
      pickers.previewBaseImage(await clientsFor(target), baseImage, options(refresh)),
    'aws:list-instance-types': async ({ target, refresh, architecture }) =>
      pickers.instanceTypes(await clientsFor(target), architecture, options(refresh)),
    'aws:list-vpcs': async ({ target, refresh }) => pickers.vpcs(await clientsFor(target), options(refresh)),
    'aws:list-subnets': async ({ target, refresh, vpcId }) =>
      pickers.subnets(await clientsFor(target), vpcId, options(refresh)),
    'aws:list-security-groups': async ({ target, refresh, vpcId }) =>
      pickers.securityGroups(await clientsFor(target), vpcId, options(refresh)),
    'aws:list-key-pairs': async ({ target, refresh }) =>
      pickers.keyPairs(await clientsFor(target), options(refresh)),
  };
}

function withProjectRegion(target: TargetSelection, region: string | undefined): TargetSelection {
  return target.region || !region ? target : { ...target, region };
}

/** MFA prompts from the credential providers go to the renderer's dialog; only the request crosses. */
export function wireAwsEvents(ctx: AppContext): () => void {
  return ctx.mfa.onRequest((request) => ctx.hub.emit('aws:mfa-request', request));
}
