/** Commercial regions with the names the AWS console uses; any other valid region name still works. */
export const REGION_NAMES: Record<string, string> = {
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

/** Select options, with `extra` (a profile's own region, a project's) added when it is not a known one. */
export function regionOptions(...extra: (string | undefined)[]): { value: string; label: string }[] {
  const codes = [...Object.keys(REGION_NAMES)];
  for (const code of extra) if (code && !codes.includes(code)) codes.push(code);
  return codes.map((value) => ({ value, label: regionLabel(value) }));
}

export function regionLabel(code: string): string {
  const name = REGION_NAMES[code];
  return name ? `${code} · ${name}` : code;
}
