import type { VmOptions } from '../../sandbox';
import type { SandboxVmSettings } from '../../shared/settings';

/** The app's "Run on a local VM" settings as the Sandbox's VM options (undefined: off). */
export function vmOptionsFromSettings(settings: SandboxVmSettings): VmOptions | undefined {
  if (!settings.enabled || settings.image.trim() === '') return undefined;
  return {
    image: settings.image.trim(),
    ...(settings.kernelArgs.trim() ? { kernelArgs: settings.kernelArgs.trim() } : {}),
    mirror: settings.mirror,
    maxVms: settings.maxVms,
  };
}
