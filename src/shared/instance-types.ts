/**
 * What Quadraxis knows about instance types before asking EC2. Xen types (the previous generations: t2,
 * m4, c4, r4, i3…) refuse GetConsoleOutput `Latest=true` and publish the console of a stopped instance
 * late, minutes after the fact at times, so the end of a bake waits for it. Preflight reads the type's
 * `Hypervisor` from DescribeInstanceTypes, which decides; this list lets the editor and the start dialog
 * warn before any call (and offline). It is closed: AWS builds every new type on Nitro.
 */
const XEN_FAMILIES = new Set([
  't1',
  't2',
  'm1',
  'm2',
  'm3',
  'm4',
  'c1',
  'c3',
  'c4',
  'r3',
  'r4',
  'i2',
  'i3',
  'd2',
  'g2',
  'g3',
  'g3s',
  'p2',
  'p3',
  'x1',
  'x1e',
  'h1',
  'f1',
  'cc2',
  'cr1',
  'hs1',
  'hi1',
  'cg1',
]);

/** How long a bake reads a late console after the builder powered off before giving up on its end. */
export const LATE_CONSOLE_CAP_MINUTES = 15;

/** True for a Xen type: `hypervisor` (from DescribeInstanceTypes) when known, else the family. */
export function isXenInstanceType(instanceType: string, hypervisor?: string): boolean {
  if (hypervisor) return hypervisor === 'xen';
  // Bare-metal sizes of Xen families (i3.metal) run on Nitro.
  if (instanceType.endsWith('.metal')) return false;
  return XEN_FAMILIES.has(instanceType.split('.')[0] ?? '');
}

export function xenWarning(instanceType: string): string {
  return (
    `${instanceType} runs on the Xen hypervisor: EC2 publishes its console late (minutes after the builder ` +
    `powers off at times), so the end of a bake waits up to ${LATE_CONSOLE_CAP_MINUTES} minutes for the ` +
    "script's result. A Nitro type (t3, m5, c5 or newer) reports it at once."
  );
}
