import {
  DEFAULT_ENVIRONMENT_SEGMENT,
  ENVIRONMENT_PLACEHOLDER,
  type Distribution,
  type Project,
} from '../../../shared/project';
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

/**
 * The parameter a bake publishes: {project} is the project's name, {environment} the bake's environment, or
 * `default` for a bake of the project's own values — so dev and prod never overwrite each other's image id.
 */
export function parameterName(template: string, project: string, environment: string | undefined): string {
  return template
    .replaceAll('{project}', project)
    .replaceAll(ENVIRONMENT_PLACEHOLDER, environment ?? DEFAULT_ENVIRONMENT_SEGMENT);
}

/**
 * Every parameter bakes of this project can publish — one per environment plus `default`, or the one name
 * when the template has no {environment}: what the policy grants and what retention counts as in use.
 */
export function parameterNames(project: Pick<Project, 'name' | 'distribution' | 'environments'>): string[] {
  const template = project.distribution?.ssmParameter;
  if (!template) return [];
  const environments = [undefined, ...Object.keys(project.environments ?? {})];
  return [...new Set(environments.map((e) => parameterName(template, project.name, e)))];
}

/** `environment`: the bake's named environment, undefined for the project's own values. */
export function deliveryPlan(project: Project, home: string, environment: string | undefined): DeliveryPlan {
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
    ...(d?.ssmParameter ? { parameter: parameterName(d.ssmParameter, project.name, environment) } : {}),
    deprecateOlder: d?.deprecateOlder === true,
    allowPartial: d?.allowPartial === true,
  };
}

/** Whether a bake of this project does anything after its image is made. */
export function delivers(plan: DeliveryPlan): boolean {
  return plan.copies.length > 0 || plan.encrypt || plan.shares || plan.parameter !== undefined;
}
