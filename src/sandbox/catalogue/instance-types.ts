import type { Architecture } from './base-images';

export interface InstanceTypeInfo {
  name: string;
  architecture: Architecture;
  vcpus: number;
  memoryMiB: number;
  burstable: boolean;
  freeTier: boolean;
  network: string;
  /**
   * Older Xen types refuse GetConsoleOutput `Latest=true` and post their buffered console output a while
   * after each state change, not at it.
   */
  hypervisor: 'nitro' | 'xen';
}

/** How long after a state change a Xen instance's buffered console output catches up. */
export const XEN_CONSOLE_LAG_MS = 45_000;

const t = (
  name: string,
  architecture: Architecture,
  vcpus: number,
  memoryMiB: number,
  network: string,
  hypervisor: 'nitro' | 'xen' = 'nitro',
): InstanceTypeInfo => ({
  name,
  architecture,
  vcpus,
  memoryMiB,
  burstable: /^t\d/.test(name),
  freeTier: name === 't3.micro' || name === 't4g.micro',
  network,
  hypervisor,
});

/** When the buffered (non-Latest) console output catches up with a state change at `at`. */
export function consoleRefreshAt(instanceType: string, at: number): number {
  return findInstanceType(instanceType)?.hypervisor === 'xen' ? at + XEN_CONSOLE_LAG_MS : at;
}

export const INSTANCE_TYPES: readonly InstanceTypeInfo[] = [
  t('t2.micro', 'x86_64', 1, 1024, 'Low to Moderate', 'xen'),
  t('t3.micro', 'x86_64', 2, 1024, 'Up to 5 Gigabit'),
  t('t3.small', 'x86_64', 2, 2048, 'Up to 5 Gigabit'),
  t('t3.medium', 'x86_64', 2, 4096, 'Up to 5 Gigabit'),
  t('t3.large', 'x86_64', 2, 8192, 'Up to 5 Gigabit'),
  t('t4g.micro', 'arm64', 2, 1024, 'Up to 5 Gigabit'),
  t('t4g.small', 'arm64', 2, 2048, 'Up to 5 Gigabit'),
  t('t4g.medium', 'arm64', 2, 4096, 'Up to 5 Gigabit'),
  t('m7i.large', 'x86_64', 2, 8192, 'Up to 12.5 Gigabit'),
  t('m7g.large', 'arm64', 2, 8192, 'Up to 12.5 Gigabit'),
  t('c7i.xlarge', 'x86_64', 4, 8192, 'Up to 12.5 Gigabit'),
];

export function findInstanceType(name: string): InstanceTypeInfo | undefined {
  return INSTANCE_TYPES.find((type) => type.name === name);
}
