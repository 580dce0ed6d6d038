import type { SimulatorCore } from '../core';
import type { QueryTree } from '../wire/query';
import type { XmlValue } from '../wire/xml';
import type { AutoScalingRegion } from './world';

/** What an Auto Scaling action works with: the world caught up to `now`, and the caller's region in it. */
export interface AutoScalingContext {
  core: SimulatorCore;
  region: AutoScalingRegion;
  now: number;
  accountId: string;
}

/** Returns the `<ActionResult>` members, or undefined for actions that answer with metadata only. */
export type AutoScalingHandler = (
  ctx: AutoScalingContext,
  params: QueryTree,
) => { [key: string]: XmlValue } | undefined;
