import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNELS, INVOKE_CHANNELS, apiPath } from '../shared/channels';

/**
 * Builds `window.quadraxis` from the contract's channel names: one function per invoke channel and one
 * `onX(listener) → unsubscribe` per event channel. ipcRenderer itself never crosses the bridge, and
 * listeners receive only the payload, not the IPC event (which would expose `sender`).
 */
type Area = Record<string, unknown>;

function buildApi(): Record<string, Area> {
  const api: Record<string, Area> = {};
  const area = (name: string): Area => (api[name] ??= {});

  for (const channel of INVOKE_CHANNELS) {
    const [name, method] = apiPath(channel, 'invoke');
    area(name)[method] = (request?: unknown) => ipcRenderer.invoke(channel, request);
  }
  for (const channel of EVENT_CHANNELS) {
    const [name, method] = apiPath(channel, 'event');
    area(name)[method] = (listener: (payload: unknown) => void) => {
      if (typeof listener !== 'function') throw new TypeError(`${method} needs a function`);
      const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
      ipcRenderer.on(channel, wrapped);
      return () => {
        ipcRenderer.removeListener(channel, wrapped);
      };
    };
  }
  return api;
}

contextBridge.exposeInMainWorld('quadraxis', buildApi());
