import { externalUrl } from '../../../shared/external-links';
import { AppError } from '../../../shared/result';
import type { AppContext } from '../app-context';
import type { Handlers } from '../dispatch';

type AppHandlers = Pick<Handlers, 'app:info' | 'app:ready' | 'app:open-external' | 'app:dismiss-notice'>;

export function appHandlers(ctx: AppContext): AppHandlers {
  return {
    'app:info': () => ({
      version: ctx.version,
      platform: ctx.platform,
      dataDir: ctx.dataDir,
      testBridge: ctx.testBridge,
    }),
    'app:ready': (_request, { senderId }) => {
      ctx.hub.markReady(senderId);
      return { notices: ctx.notices.list() };
    },
    'app:open-external': async (raw) => {
      const url = externalUrl(raw);
      if (!url) {
        ctx.logger.warn('refused to open a link outside the allowlist', { url: raw });
        throw new AppError(
          'INVALID_INPUT',
          'Only https links to the AWS console and documentation can be opened.',
        );
      }
      await ctx.openExternal(url);
      return { opened: true };
    },
    'app:dismiss-notice': (id) => {
      ctx.notices.dismiss(id);
      return null;
    },
  };
}
