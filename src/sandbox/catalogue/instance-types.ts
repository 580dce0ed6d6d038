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
   * after each state change, not at it: `consoleLagMs` later (reports say up to many minutes).
   */
  hypervisor: 'nitro' | 'xen';
  consoleLagMs: number;
}

const t = (
  name: string,
  architecture: Architecture,
  vcpus: number,
  memoryMiB: number,
  network: string,
  xen?: { consoleLagMs: number },
): InstanceTypeInfo => ({
  name,
  architecture,
  vcpus,
  memoryMiB,
  burstable: /^t\d/.test(name),
  freeTier: name === 't3.micro' || name === 't4g.micro',
  network,
  hypervisor: xen ? 'xen' : 'nitro',
  consoleLagMs: xen?.consoleLagMs ?? 0,
});

/** When the buffered (non-Latest) console output catches up with a state change at `at`. */
export function consoleRefreshAt(instanceType: string, at: number): number {
  return at + (findInstanceType(instanceType)?.consoleLagMs ?? 0);
}

export const INSTANCE_TYPES: readonly InstanceTypeInfo[] = [
  t('t2.micro', 'x86_64', 1, 1024, 'Low to Moderate', { consoleLagMs: 45_000 }),
  // A previous-generation type whose console shows up minutes after a stop, as reported on AWS.
  t('m4.large', 'x86_64', 2, 8192, 'Moderate', { consoleLagMs: 6 * 60_000 }),
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
