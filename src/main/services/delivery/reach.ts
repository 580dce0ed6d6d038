import type { AwsClients } from '../aws/clients';
import { callAws, type CallOptions, type CallScope, type Send } from '../bake/aws-call';
import type { RegionServices } from '../bake/region-services';
import type { Connection } from '../bake/types';
import type { WaitScope } from '../bake/wait';
import type { Clock } from '../clock';

/** How delivery reaches a region: the same profile (and endpoint), that region's clients and shared services. */
export interface ReachOptions {
  connect(region: string): Promise<Connection>;
  /** The account-and-region's shared limiter and poller (the bake engine's RegionRegistry). */
  services(connection: Connection): RegionServices;
  clock: Clock;
  /** Counts every call made (a bake's apiCalls). */
  onCall(): void;
}

/** One region as delivery works in it. */
export interface RegionHandle {
  region: string;
  clients: AwsClients;
  services: RegionServices;
  scope(signal: AbortSignal): CallScope & WaitScope;
  /** One call in this region: rate-limited by its bucket, counted, cancellable, retried when transient. */
  call<T>(action: string, send: Send<T>, signal: AbortSignal, options?: CallOptions): Promise<T>;
}

/** Opens each region once and hands out handles; the home region's connection can be passed in as is. */
export class RegionReach {
  private readonly handles = new Map<string, Promise<RegionHandle>>();

  constructor(
    private readonly options: ReachOptions,
    home?: Connection,
  ) {
    if (home) this.handles.set(home.region, Promise.resolve(this.handle(home)));
  }

  get clock(): Clock {
    return this.options.clock;
  }

  region(name: string): Promise<RegionHandle> {
    let handle = this.handles.get(name);
    if (!handle) {
      handle = this.options.connect(name).then((c) => this.handle(c));
      handle.catch(() => this.handles.delete(name));
      this.handles.set(name, handle);
    }
    return handle;
  }

  private handle(connection: Connection): RegionHandle {
    const services = this.options.services(connection);
    const scope = (signal: AbortSignal): CallScope & WaitScope => ({
      clock: this.options.clock,
      limiter: services.limiter,
      signal,
      onCall: () => this.options.onCall(),
    });
    return {
      region: connection.region,
      clients: connection.clients,
      services,
      scope,
      call: (action, send, signal, options) => callAws(scope(signal), action, send, options),
    };
  }
}
