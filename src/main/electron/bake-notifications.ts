import { BrowserWindow, Notification } from 'electron';
import type { AppContext } from '../app/app-context';
import { finishedBakeNotice } from '../services/bake';

/** A desktop notification when a bake ends while no Quadraxis window has focus (and the setting allows). */
export function notifyFinishedBakes(ctx: AppContext): () => void {
  return ctx.runtime.engine.subscribe((event) => {
    if (event.type !== 'finished') return;
    if (!ctx.settings.get().bakes.notifyWhenDone || !Notification.isSupported()) return;
    if (BrowserWindow.getFocusedWindow()) return;
    const notification = new Notification(finishedBakeNotice(event.record));
    notification.on('click', () => {
      const [window] = BrowserWindow.getAllWindows();
      window?.show();
      window?.focus();
    });
    notification.show();
  });
}
