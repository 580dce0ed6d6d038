import { app, dialog, type BrowserWindow } from 'electron';
import { isFinalStatus } from '../../shared/bake';
import type { AppContext } from '../app/app-context';
import { closeAppContext } from '../app/create-app-context';

/**
 * Quitting never strands a builder: with bakes running, the person chooses between keeping the app open and
 * cancelling them (the engine then terminates builders and removes half-made images) before the app exits.
 * Either way the runtime is closed — pollers stopped, the sandbox shut — before the process ends.
 */
export function guardQuit(ctx: AppContext, mainWindow: () => BrowserWindow | undefined): void {
  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    event.preventDefault();
    void (async () => {
      const active = (await ctx.runtime.engine.list({ limit: 200 })).filter((b) => !isFinalStatus(b.status));
      if (active.length > 0) {
        const window = mainWindow();
        const options = {
          type: 'warning' as const,
          buttons: [
            'Keep baking',
            `Cancel ${active.length === 1 ? 'the bake' : `${active.length} bakes`} and quit`,
          ],
          defaultId: 0,
          cancelId: 0,
          message: `${active.length === 1 ? 'A bake is' : `${active.length} bakes are`} still running.`,
          detail:
            'Quitting cancels them: their builder instances are terminated and unfinished images removed. This takes a few seconds.',
        };
        const { response } = window
          ? await dialog.showMessageBox(window, options)
          : await dialog.showMessageBox(options);
        if (response === 0) return;
      }
      closing = true;
      try {
        // The person chose to cancel: a plain close would leave launched bakes for the next start instead.
        if (active.length > 0) await ctx.runtime.engine.shutdown({ cancel: true });
        await closeAppContext(ctx);
      } catch (error) {
        ctx.logger.error('shutting down the runtime failed', { error });
      }
      app.quit();
    })();
  });
}
