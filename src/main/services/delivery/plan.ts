import type { Distribution, Project } from '../../../shared/project';
import { keyFor } from './encryption';

/** What a bake of this project delivers, once its home region is known. */
export interface DeliveryPlan {
  home: string;
  /** Regions the image is copied to (the home region never among them). */
  copies: string[];
  /** The home region first, then the copies. */
  regions: string[];
  /** The configured KMS key per region (alias, id or ARN); undefined when the project does not encrypt. */
  keys: Record<string, string | undefined>;
  encrypt: boolean;
  shareWith: Distribution['shareWith'];
  shares: boolean;
  /** The rendered parameter name. */
  parameter?: string;
  deprecateOlder: boolean;
  allowPartial: boolean;
}

const NO_SHARES: Distribution['shareWith'] = {
  accounts: [],
  organizations: [],
  organizationalUnits: [],
  snapshots: false,
};

export function parameterName(template: string, project: string): string {
  return template.replaceAll('{project}', project);
}

export function deliveryPlan(project: Project, home: string): DeliveryPlan {
  const d = project.distribution;
  const copies = (d?.regions ?? []).filter((r) => r !== home);
  const regions = [home, ...copies];
  const shareWith = d?.shareWith ?? NO_SHARES;
  return {
    home,
    copies,
    regions,
    keys: Object.fromEntries(regions.map((r) => [r, keyFor(d, r)])),
    encrypt: d?.encryption !== undefined,
    shareWith,
    shares:
      shareWith.accounts.length + shareWith.organizations.length + shareWith.organizationalUnits.length > 0,
    ...(d?.ssmParameter ? { parameter: parameterName(d.ssmParameter, project.name) } : {}),
    deprecateOlder: d?.deprecateOlder === true,
    allowPartial: d?.allowPartial === true,
  };
}

/** Whether a bake of this project does anything after its image is made. */
export function delivers(plan: DeliveryPlan): boolean {
  return plan.copies.length > 0 || plan.encrypt || plan.shares || plan.parameter !== undefined;
}
