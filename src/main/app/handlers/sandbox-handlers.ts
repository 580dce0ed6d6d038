import { inspectVmSupport } from '../../../sandbox';
import type { AppContext } from '../app-context';
import type { Handlers } from '../dispatch';

export function sandboxHandlers(ctx: AppContext): Pick<Handlers, 'sandbox:vm-check'> {
  return {
    // Reads versions and the image's manifest or disk header; starts nothing.
    'sandbox:vm-check': async (request) => {
      const support = await inspectVmSupport({
        ...(request.image ? { image: request.image } : {}),
        ...(request.kernelArgs ? { kernelArgs: request.kernelArgs } : {}),
      });
      const status = ctx.runtime.sandbox.status();
      return {
        ...support,
        ...(status.running && !status.external
          ? {
              running: {
                vm: status.vm?.on ?? false,
                ...(status.vm?.on ? { accel: status.vm.accel, image: status.vm.image } : {}),
              },
            }
          : {}),
      };
    },
  };
}
