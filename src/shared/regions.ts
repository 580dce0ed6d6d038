/**
 * Commercial AWS regions with the names the AWS console uses, in the order the region fields offer them.
 * Suggestions only: any other well-formed region name still works everywhere.
 */
export const REGION_NAMES: Readonly<Record<string, string>> = {
  'us-east-1': 'N. Virginia',
  'us-east-2': 'Ohio',
  'us-west-1': 'N. California',
  'us-west-2': 'Oregon',
  'ca-central-1': 'Canada Central',
  'ca-west-1': 'Calgary',
  'sa-east-1': 'São Paulo',
  'eu-west-1': 'Ireland',
  'eu-west-2': 'London',
  'eu-west-3': 'Paris',
  'eu-central-1': 'Frankfurt',
  'eu-central-2': 'Zurich',
  'eu-north-1': 'Stockholm',
  'eu-south-1': 'Milan',
  'eu-south-2': 'Spain',
  'ap-south-1': 'Mumbai',
  'ap-south-2': 'Hyderabad',
  'ap-southeast-1': 'Singapore',
  'ap-southeast-2': 'Sydney',
  'ap-southeast-3': 'Jakarta',
  'ap-southeast-4': 'Melbourne',
  'ap-northeast-1': 'Tokyo',
  'ap-northeast-2': 'Seoul',
  'ap-northeast-3': 'Osaka',
  'ap-east-1': 'Hong Kong',
  'me-south-1': 'Bahrain',
  'me-central-1': 'UAE',
  'il-central-1': 'Tel Aviv',
  'af-south-1': 'Cape Town',
};

export const AWS_REGIONS: readonly string[] = Object.keys(REGION_NAMES);

/** Regions an account must enable before use; EC2's DescribeRegions leaves them out until it has. */
const OPT_IN_REGIONS: ReadonlySet<string> = new Set([
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-east-1',
  'me-south-1',
  'me-central-1',
  'il-central-1',
  'af-south-1',
]);

/** The regions every account has from the start. */
export const DEFAULT_ENABLED_REGIONS: readonly string[] = AWS_REGIONS.filter((r) => !OPT_IN_REGIONS.has(r));
