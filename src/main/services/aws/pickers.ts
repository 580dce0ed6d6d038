import {
  ImageSearchQuerySchema,
  type ImageSearchQuery,
  type ImageSummary,
  type InstanceTypeSummary,
  type KeyPairSummary,
  type PickerList,
  type ResolvedAlias,
  type ResolvedBaseImage,
  type SecurityGroupSummary,
  type SubnetSummary,
  type VpcSummary,
} from '../../../shared/aws';
import type { BaseImage } from '../../../shared/project';
import { AppError, describeZodError } from '../../../shared/result';
import type { Clock } from '../clock';
import { describeMatchingImages, resolveBaseImage } from './base-image';
import type { AwsClients } from './clients';
import { listInstanceTypes, listKeyPairs, listSecurityGroups, listSubnets, listVpcs } from './ec2-lists';
import { resolvePublicAliases } from './public-aliases';
import { TtlCache } from './ttl-cache';
import type { AwsTarget } from './target';

export interface PickerCallOptions {
  /** Skip the cache: the form's refresh button. */
  refresh?: boolean;
  signal?: AbortSignal;
}

export interface Pickers {
  searchImages(
    clients: AwsClients,
    query: ImageSearchQuery,
    options?: PickerCallOptions,
  ): Promise<PickerList<ImageSummary>>;
  publicAliases(
    clients: AwsClients,
    architecture?: string,
    options?: PickerCallOptions,
  ): Promise<PickerList<ResolvedAlias>>;
  /** What a base image setting resolves to today (the "latest matching" preview). */
  previewBaseImage(
    clients: AwsClients,
    baseImage: BaseImage,
    options?: PickerCallOptions,
  ): Promise<ResolvedBaseImage>;
  instanceTypes(
    clients: AwsClients,
    architecture?: string,
    options?: PickerCallOptions,
  ): Promise<PickerList<InstanceTypeSummary>>;
  vpcs(clients: AwsClients, options?: PickerCallOptions): Promise<PickerList<VpcSummary>>;
  subnets(
    clients: AwsClients,
    vpcId?: string,
    options?: PickerCallOptions,
  ): Promise<PickerList<SubnetSummary>>;
  securityGroups(
    clients: AwsClients,
    vpcId?: string,
    options?: PickerCallOptions,
  ): Promise<PickerList<SecurityGroupSummary>>;
  keyPairs(clients: AwsClients, options?: PickerCallOptions): Promise<PickerList<KeyPairSummary>>;
  /** Forgets cached answers for one target's profile and region, or all of them. */
  invalidate(target?: Pick<AwsTarget, 'profile' | 'region'>): void;
}

export interface PickerOptions {
  clock: Clock;
  /** How long an answer is reused. Default 60 s: long enough for a form, short enough to see a new subnet. */
  ttlMs?: number;
  /** MaxResults for the paginated lists (images, instance types); default: the most EC2 allows. */
  pageSize?: number;
}

const DEFAULT_TTL_MS = 60_000;
const IMAGE_SEARCH_LIMIT = 500;

/**
 * The data behind the project form's pickers, cached briefly per profile + region (+ endpoint). One
 * instance serves every profile; failures come out as AppErrors the form shows inline.
 */
export function createPickers(options: PickerOptions): Pickers {
  const cache = new TtlCache(options.clock, options.ttlMs ?? DEFAULT_TTL_MS);
  const scope = (target: Pick<AwsTarget, 'profile' | 'region'>) =>
    `${target.profile}\u0000${target.region}\u0000`;
  const keyOf = (clients: AwsClients, name: string, args: unknown[]) =>
    `${scope(clients.target)}${clients.target.endpoints.ec2 ?? ''}\u0000${name}\u0000${JSON.stringify(args)}`;
  const list = <T>(
    clients: AwsClients,
    name: string,
    args: unknown[],
    call: PickerCallOptions | undefined,
    load: () => Promise<{ items: T[]; truncated?: boolean }>,
  ): Promise<PickerList<T>> => {
    const fetchedAt = options.clock.now();
    return cache.get(
      keyOf(clients, name, args),
      async () => ({ ...(await load()), fetchedAt }),
      call?.refresh,
    );
  };
  const wrap = async <T>(load: () => Promise<T[]>) => ({ items: await load() });

  return {
    searchImages(clients, query, call) {
      const parsed = ImageSearchQuerySchema.safeParse(query);
      if (!parsed.success)
        return Promise.reject(new AppError('INVALID_INPUT', describeZodError(parsed.error)));
      return list(clients, 'images', [parsed.data], call, () =>
        describeMatchingImages(clients, parsed.data, {
          limit: IMAGE_SEARCH_LIMIT,
          ...(options.pageSize ? { pageSize: options.pageSize } : {}),
          ...signalOf(call),
        }),
      );
    },
    publicAliases: (clients, architecture, call) =>
      list(clients, 'aliases', [architecture], call, () =>
        wrap(() => resolvePublicAliases(clients, architecture, call?.signal)),
      ),
    previewBaseImage: (clients, baseImage, call) =>
      cache.get(
        keyOf(clients, 'preview', [baseImage]),
        () => resolveBaseImage(clients, baseImage, call?.signal),
        call?.refresh,
      ),
    instanceTypes: (clients, architecture, call) =>
      list(clients, 'instance-types', [architecture], call, () =>
        wrap(() => listInstanceTypes(clients, architecture, call?.signal, options.pageSize)),
      ),
    vpcs: (clients, call) =>
      list(clients, 'vpcs', [], call, () => wrap(() => listVpcs(clients, call?.signal))),
    subnets: (clients, vpcId, call) =>
      list(clients, 'subnets', [vpcId], call, () => wrap(() => listSubnets(clients, vpcId, call?.signal))),
    securityGroups: (clients, vpcId, call) =>
      list(clients, 'security-groups', [vpcId], call, () =>
        wrap(() => listSecurityGroups(clients, vpcId, call?.signal)),
      ),
    keyPairs: (clients, call) =>
      list(clients, 'key-pairs', [], call, () => wrap(() => listKeyPairs(clients, call?.signal))),
    invalidate: (target) => cache.clear(target ? scope(target) : ''),
  };
}

function signalOf(call?: PickerCallOptions): { signal?: AbortSignal } {
  return call?.signal ? { signal: call.signal } : {};
}
