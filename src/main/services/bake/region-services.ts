import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { RegionPoller } from './poller';
import { RegionLimiter } from './rate-limiter';
import type { Connection } from './types';

/** What all bakes in one account and region share: EC2's request buckets and one poller. */
export interface RegionServices {
  key: string;
  limiter: RegionLimiter;
  poller: RegionPoller;
}

export function regionKey(connection: Pick<Connection, 'accountKey' | 'region'>): string {
  return `${connection.accountKey}|${connection.region}`;
}

export class RegionRegistry {
  private readonly regions = new Map<string, RegionServices>();

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly pollIntervalMs: number,
  ) {}

  /** The first bake's client polls for everyone in its account and region: same account, same answers. */
  for(connection: Connection): RegionServices {
    const key = regionKey(connection);
    let services = this.regions.get(key);
    if (!services) {
      const limiter = new RegionLimiter(this.clock);
      const poller = new RegionPoller({
        ec2: connection.clients.ec2,
        autoScaling: connection.clients.autoScaling,
        clock: this.clock,
        limiter,
        intervalMs: this.pollIntervalMs,
        logger: this.logger,
      });
      services = { key, limiter, poller };
      this.regions.set(key, services);
    }
    return services;
  }

  closeAll(): void {
    for (const services of this.regions.values()) services.poller.close();
    this.regions.clear();
  }
}
