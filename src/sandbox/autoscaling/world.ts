import type { SimulatorCore } from '../core';
import { advance } from './simulation';
import type { GroupRecord, LaunchConfigurationRecord, RefreshRecord } from './records';

/** One account's Auto Scaling in one region. */
export interface AutoScalingRegion {
  name: string;
  groups: Map<string, GroupRecord>;
  launchConfigurations: Map<string, LaunchConfigurationRecord>;
  /** Every refresh ever started here, oldest first. */
  refreshes: RefreshRecord[];
  /** The simulation has played everything up to this moment. */
  settledAt: number;
}

/**
 * Auto Scaling's world. Nothing ticks inside the Sandbox: a group's launches, health checks and a refresh's
 * batches are discrete events at exact moments (an instance running, a warmup ending, a checkpoint's delay
 * passing), played in order up to `now` whenever anyone looks — any Auto Scaling or EC2 call in the region,
 * or the in-process views. Each event happens at its own moment, not at the moment someone looked, so how
 * often a client polls never changes what the group does, and a VirtualClock can run an hour-long refresh
 * in milliseconds.
 */
export class AutoScalingWorld {
  private readonly regions = new Map<string, AutoScalingRegion>();
  /** The health-check knob: instances launched from these images fail their health checks. */
  readonly unhealthyImages = new Set<string>();
  /** Instances SetInstanceHealth marked Unhealthy: their next check fails. */
  readonly markedUnhealthy = new Set<string>();
  private catchingUp = false;

  region(name: string): AutoScalingRegion {
    let region = this.regions.get(name);
    if (!region) {
      region = {
        name,
        groups: new Map(),
        launchConfigurations: new Map(),
        refreshes: [],
        settledAt: Number.NEGATIVE_INFINITY,
      };
      this.regions.set(name, region);
    }
    return region;
  }

  all(): AutoScalingRegion[] {
    return [...this.regions.values()];
  }

  /**
   * Plays the region's events up to `now`. Launches it makes go through EC2's own handlers, which ask to
   * catch up again: those nested calls return at once.
   */
  catchUp(core: SimulatorCore, regionName: string, now: number): void {
    if (this.catchingUp) return;
    const region = this.regions.get(regionName);
    if (!region || region.groups.size === 0) {
      if (region) region.settledAt = Math.max(region.settledAt, now);
      return;
    }
    this.catchingUp = true;
    try {
      advance(core, region, now);
    } finally {
      this.catchingUp = false;
    }
  }

  /** Runs `work` at `now` after catching up, with nested catch-ups suppressed (actions that launch). */
  at<T>(core: SimulatorCore, regionName: string, now: number, work: (region: AutoScalingRegion) => T): T {
    this.catchUp(core, regionName, now);
    const region = this.region(regionName);
    const outer = this.catchingUp;
    this.catchingUp = true;
    try {
      return work(region);
    } finally {
      this.catchingUp = outer;
    }
  }

  reset(): void {
    this.regions.clear();
    this.unhealthyImages.clear();
    this.markedUnhealthy.clear();
  }
}
