import { app, dialog, type BrowserWindow } from 'electron';
import { isFinalStatus, type BakeRecord } from '../../shared/bake';
import type { AppContext } from '../app/app-context';
import { closeAppContext } from '../app/create-app-context';

type Choice = 'stay' | 'resume-later' | 'cancel';

/**
 * What quitting with bakes running means, in the person's words. Real bakes can be left journaled: the next
 * start resumes them on the same builder (and `quadraxis sweep` finds any builder left behind). Sandbox bakes
 * cannot, because the simulator lives in this process, so for them quitting means cancelling.
 */
async function ask(active: BakeRecord[], window: BrowserWindow | undefined): Promise<Choice> {
  const count = active.length === 1 ? 'the bake' : `${active.length} bakes`;
  const anyReal = active.some((bake) => !bake.simulated);
  const choices: { choice: Choice; label: string }[] = [
    { choice: 'stay', label: 'Keep baking' },
    ...(anyReal ? [{ choice: 'resume-later' as const, label: 'Quit, resume at next start' }] : []),
    { choice: 'cancel', label: `Cancel ${count} and quit` },
  ];
  const options = {
    type: 'warning' as const,
    buttons: choices.map((c) => c.label),
    defaultId: 0,
    cancelId: 0,
    message: `${active.length === 1 ? 'A bake is' : `${active.length} bakes are`} still running.`,
    detail: anyReal
      ? 'Resuming later leaves builder instances running (and billed) until Quadraxis starts again. Cancelling terminates them and removes unfinished images; it takes a few seconds.'
      : 'Sandbox bakes end with the app: cancelling removes their simulated builders and images.',
  };
  const { response } = window
    ? await dialog.showMessageBox(window, options)
    : await dialog.showMessageBox(options);
  return choices[response]?.choice ?? 'stay';
}

/**
 * Quitting never strands a builder silently: with bakes running the person chooses to keep the app open,
 * to leave real bakes for the next start, or to cancel them (builders terminated, half-made images removed).
 * Either way the runtime is closed — webhook listener, pollers, sandbox — before the process ends.
 */
export function guardQuit(ctx: AppContext, mainWindow: () => BrowserWindow | undefined): void {
  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    event.preventDefault();
    void (async () => {
      const active = (await ctx.runtime.engine.list({ limit: 200 })).filter((b) => !isFinalStatus(b.status));
      const choice = active.length > 0 ? await ask(active, mainWindow()) : 'resume-later';
      if (choice === 'stay') return;
      closing = true;
      try {
        if (choice === 'cancel') await ctx.runtime.engine.shutdown({ cancel: true });
        await closeAppContext(ctx);
      } catch (error) {
        ctx.logger.error('shutting down the runtime failed', { error });
      }
      app.quit();
    })();
  });
}
