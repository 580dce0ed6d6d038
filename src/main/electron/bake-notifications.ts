import { BrowserWindow, Notification } from 'electron';
import type { AppContext } from '../app/app-context';

const VERB: Record<string, string> = {
  succeeded: 'finished',
  failed: 'failed',
  cancelled: 'was cancelled',
  interrupted: 'was interrupted',
};

/** A desktop notification when a bake ends while no Quadraxis window has focus (and the setting allows). */
export function notifyFinishedBakes(ctx: AppContext): () => void {
  return ctx.runtime.engine.subscribe((event) => {
    if (event.type !== 'finished') return;
    if (!ctx.settings.get().bakes.notifyWhenDone || !Notification.isSupported()) return;
    if (BrowserWindow.getFocusedWindow()) return;
    const { record } = event;
    const notification = new Notification({
      title: `Bake of ${record.project} ${VERB[record.status] ?? record.status}`,
      body:
        record.status === 'succeeded'
          ? `${record.imageId ?? ''}${record.simulated ? ' (simulated)' : ''} in ${record.region}`
          : (record.error?.message ?? record.message ?? ''),
    });
    notification.on('click', () => {
      const [window] = BrowserWindow.getAllWindows();
      window?.show();
      window?.focus();
    });
    notification.show();
  });
}
