import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A stand-in for the `electron` module, complete enough to boot the built main bundle in plain Node
 * (there is no Electron binary on CI). It records what main asks of Electron so tests can assert the
 * hardening, and lets tests play the part of Chromium (navigate, open windows, call IPC).
 */
export class StubFrame {
  constructor(public url: string) {}
}

export class StubWebContents extends EventEmitter {
  static nextId = 1;
  readonly id = StubWebContents.nextId++;
  readonly mainFrame: StubFrame;
  readonly sent: { channel: string; payload: unknown }[] = [];
  windowOpenHandler?: (details: { url: string }) => { action: string };
  destroyed = false;

  constructor(url = '') {
    super();
    this.mainFrame = new StubFrame(url);
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = handler;
  }
  send(channel: string, payload: unknown) {
    this.sent.push({ channel, payload });
  }
  isDestroyed() {
    return this.destroyed;
  }
  /** Emits a cancellable Electron-style event; returns whether a listener called preventDefault(). */
  emitCancellable(name: string, ...args: unknown[]): boolean {
    let prevented = false;
    const event = { preventDefault: () => (prevented = true) };
    this.emit(name, event, ...args);
    return prevented;
  }
}

export class StubBrowserWindow extends EventEmitter {
  static instances: StubBrowserWindow[] = [];
  static focused: StubBrowserWindow | null = null;
  static getFocusedWindow() {
    return StubBrowserWindow.focused;
  }
  static getAllWindows() {
    return StubBrowserWindow.instances;
  }
  readonly webContents: StubWebContents;
  loadedUrl?: string;
  constructor(readonly options: Record<string, any>) {
    super();
    this.webContents = new StubWebContents();
    StubBrowserWindow.instances.push(this);
    stubState.app.emit('web-contents-created', {}, this.webContents);
  }
  loadURL(url: string) {
    this.loadedUrl = url;
    this.webContents.mainFrame.url = url;
    stubState.app.emit('stub:window-loaded', this);
    return Promise.resolve();
  }
  show() {}
  maximize() {}
  isMinimized() {
    return false;
  }
  restore() {}
  focus() {}
  isMaximized() {
    return false;
  }
  getNormalBounds() {
    return { x: 10, y: 20, width: 1200, height: 800 };
  }
}

class StubNotification extends EventEmitter {
  static isSupported() {
    return true;
  }
  constructor(readonly options: { title: string; body: string }) {
    super();
  }
  show() {
    stubState.notifications.push(this.options);
  }
}

class StubApp extends EventEmitter {
  readonly paths = new Map<string, string>();
  singleInstance = true;
  /** False as under `npm start`; a test sets it to play an installed app. */
  isPackaged = false;
  quitCalled = false;
  private readyResolve!: () => void;
  readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));
  requestSingleInstanceLock() {
    return this.singleInstance;
  }
  whenReady() {
    return this.ready;
  }
  fireReady() {
    this.readyResolve();
  }
  getPath(name: string) {
    return this.paths.get(name) ?? this.paths.get('userData')!;
  }
  setPath(name: string, value: string) {
    this.paths.set(name, value);
  }
  getVersion() {
    return '0.0.0-stub';
  }
  getName() {
    return 'Quadraxis';
  }
  quit() {
    this.quitCalled = true;
    this.emit('stub:quit');
  }
  exitCode: number | undefined;
  exit(code = 0) {
    this.exitCode = code;
    this.emit('stub:exit', code);
  }
}

type IpcHandler = (event: unknown, ...args: unknown[]) => unknown;

export interface StubState {
  app: StubApp;
  ipcHandlers: Map<string, IpcHandler>;
  protocolHandlers: Map<string, (request: Request) => Promise<Response> | Response>;
  privilegedSchemes: unknown[];
  permissionRequestHandler?: (
    contents: unknown,
    permission: string,
    callback: (granted: boolean) => void,
  ) => void;
  permissionCheckHandler?: (...args: unknown[]) => boolean;
  openedExternal: string[];
  themeSource?: string;
  exposed: Map<string, unknown>;
  rendererListeners: Map<string, Set<(...args: unknown[]) => void>>;
  rendererInvocations: { channel: string; args: unknown[] }[];
  notifications: { title: string; body: string }[];
  dialogs: unknown[];
  errorBoxes: { title: string; content: string }[];
  /** The button index the next message box answers with. */
  dialogResponse: number;
}

let stubState: StubState;

export function createElectronStub(userData = mkdtempSync(join(tmpdir(), 'qx-userdata-'))) {
  StubBrowserWindow.instances = [];
  StubBrowserWindow.focused = null;
  const app = new StubApp();
  app.setPath('userData', userData);
  stubState = {
    app,
    ipcHandlers: new Map(),
    protocolHandlers: new Map(),
    privilegedSchemes: [],
    openedExternal: [],
    exposed: new Map(),
    rendererListeners: new Map(),
    rendererInvocations: [],
    notifications: [],
    dialogs: [],
    errorBoxes: [],
    dialogResponse: 0,
  };
  const state = stubState;
  const session = {
    setPermissionRequestHandler: (h: StubState['permissionRequestHandler']) =>
      (state.permissionRequestHandler = h),
    setPermissionCheckHandler: (h: StubState['permissionCheckHandler']) => (state.permissionCheckHandler = h),
  };
  const module = {
    app,
    BrowserWindow: StubBrowserWindow,
    ipcMain: Object.assign(new EventEmitter(), {
      handle: (channel: string, handler: IpcHandler) => {
        if (state.ipcHandlers.has(channel)) throw new Error(`second handler for ${channel}`);
        state.ipcHandlers.set(channel, handler);
      },
      removeHandler: (channel: string) => state.ipcHandlers.delete(channel),
    }),
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => state.privilegedSchemes.push(...schemes),
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) =>
        state.protocolHandlers.set(scheme, handler),
    },
    session: { defaultSession: session },
    shell: {
      openExternal: (url: string) => {
        state.openedExternal.push(url);
        return Promise.resolve();
      },
      openPath: () => Promise.resolve(''),
    },
    nativeTheme: {
      shouldUseDarkColors: false,
      set themeSource(value: string) {
        state.themeSource = value;
      },
      get themeSource() {
        return state.themeSource ?? 'system';
      },
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptString: (text: string) => Buffer.from(`enc:${text}`),
      decryptString: (buffer: Buffer) => buffer.toString().replace(/^enc:/, ''),
    },
    Notification: StubNotification,
    dialog: {
      showErrorBox: (title: string, content: string) => state.errorBoxes.push({ title, content }),
      showMessageBoxSync: (...args: unknown[]) => {
        state.dialogs.push(args.at(-1));
        return state.dialogResponse;
      },
      showMessageBox: (...args: unknown[]) => {
        state.dialogs.push(args.at(-1));
        return Promise.resolve({ response: state.dialogResponse });
      },
    },
    // Renderer side, for loading the preload.
    contextBridge: {
      exposeInMainWorld: (key: string, value: unknown) => state.exposed.set(key, value),
    },
    ipcRenderer: {
      invoke: (channel: string, ...args: unknown[]) => {
        state.rendererInvocations.push({ channel, args });
        return Promise.resolve({ ok: true, value: null });
      },
      on: (channel: string, listener: (...args: unknown[]) => void) => {
        if (!state.rendererListeners.has(channel)) state.rendererListeners.set(channel, new Set());
        state.rendererListeners.get(channel)!.add(listener);
      },
      removeListener: (channel: string, listener: (...args: unknown[]) => void) => {
        state.rendererListeners.get(channel)?.delete(listener);
      },
    },
  };
  return { module, state };
}

const nodeRequire = createRequire(import.meta.url);

/**
 * Loads a built bundle with `require('electron')` answered by the stub. Fresh each time: the bundle and its
 * chunks are evicted from the require cache so a test can boot main more than once.
 */
export function loadWithElectronStub(
  bundlePath: string,
  stub: ReturnType<typeof createElectronStub>['module'],
) {
  const electronPath = nodeRequire.resolve('electron');
  for (const key of Object.keys(nodeRequire.cache)) {
    if (key.includes(`${join('out', 'main')}`) || key.includes(`${join('out', 'preload')}`))
      delete nodeRequire.cache[key];
  }
  nodeRequire.cache[electronPath] = {
    id: electronPath,
    filename: electronPath,
    loaded: true,
    exports: stub,
  } as never;
  return nodeRequire(bundlePath) as unknown;
}
