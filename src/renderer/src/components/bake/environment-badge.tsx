import { Badge, VisuallyHidden, type MantineSize } from '@mantine/core';

/**
 * The project's named environment a bake is for (issue 18), where a bake is shown — so "which bake is
 * prod?" has an answer while it runs. Nothing for a bake of the project's own values: a "default" badge
 * on every row would only be noise. Same colour as the Versions panel's badge, so a bake and the version
 * it recorded look alike, but in the name's own case (not a badge's capitals): it is what `--env` takes, and
 * names differ by case. The hidden word makes a screen reader say "Environment prod", not just "prod".
 */
export function EnvironmentBadge({ environment, size = 'md' }: { environment?: string; size?: MantineSize }) {
  if (!environment) return null;
  return (
    <Badge
      size={size}
      variant="light"
      color="grape"
      radius="sm"
      tt="none"
      aria-label={`Environment ${environment}`}
      title={`Baked for the project’s ${environment} environment: its values and launch settings`}
      data-environment={environment}
    >
      <VisuallyHidden>Environment </VisuallyHidden>
      {environment}
    </Badge>
  );
}
