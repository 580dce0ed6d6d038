import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { INVOKE_CHANNELS } from '../../shared/channels';
import type { Result } from '../../shared/result';
import { assertEveryChannelHandled, dispatch, type Handlers } from '../app/dispatch';
import type { EventTarget } from '../app/event-hub';
import type { Logger } from '../services/logger';

export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;

const FORBIDDEN: Result<never> = {
  ok: false,
  error: { code: 'FORBIDDEN_SENDER', message: 'This call did not come from the Quadraxis window.' },
};

/**
 * The only place that registers ipcMain handlers (a lint rule bans it elsewhere). Each channel of the
 * contract gets one handler that refuses foreign senders before looking at the payload, then dispatches.
 */
export function registerIpc(handlers: Handlers, isTrustedSender: SenderCheck, logger: Logger): () => void {
  assertEveryChannelHandled(handlers);
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, raw: unknown) => {
      if (!isTrustedSender(event)) {
        logger.warn('IPC from an untrusted sender refused', { channel, url: event.senderFrame?.url });
        return FORBIDDEN;
      }
      return dispatch(handlers, channel, raw, { senderId: event.sender.id }, logger);
    });
  }
  return () => INVOKE_CHANNELS.forEach((channel) => ipcMain.removeHandler(channel));
}

/** Trusted = the main frame of one of our windows, showing our own origin. */
export function createSenderCheck(
  ourContents: () => WebContents[],
  isAppUrl: (url: string) => boolean,
): SenderCheck {
  return (event) => {
    const frame = event.senderFrame;
    if (!frame) return false;
    const contents = ourContents().find((c) => c.id === event.sender.id);
    if (!contents || contents.isDestroyed()) return false;
    return frame === contents.mainFrame && isAppUrl(frame.url);
  };
}

export function webContentsTarget(contents: WebContents): EventTarget {
  return {
    id: contents.id,
    isDestroyed: () => contents.isDestroyed(),
    send: (channel, payload) => contents.send(channel, payload),
  };
}
