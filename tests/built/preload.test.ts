import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiPath } from '../../src/shared/channels';
import { eventContract, invokeContract } from '../../src/shared/contract';
import { createElectronStub, loadWithElectronStub } from '../helpers/electron-stub';
import { PRELOAD_BUNDLE, requireBuild } from '../helpers/paths';

type Api = Record<string, Record<string, (...args: unknown[]) => unknown>>;

function loadPreload() {
  const stub = createElectronStub();
  loadWithElectronStub(PRELOAD_BUNDLE, stub.module);
  return { state: stub.state, api: stub.state.exposed.get('quadraxis') as Api };
}

describe('the built preload', () => {
  beforeAll(requireBuild);

  it('is one CommonJS file that requires nothing but electron (a sandboxed preload cannot)', () => {
    const source = readFileSync(PRELOAD_BUNDLE, 'utf8');
    const required = [...source.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(source).not.toMatch(/^\s*(import|export)\s/m);
  });

  it('exposes exactly the contract: one method per invoke channel, one onX per event channel', () => {
    const { state, api } = loadPreload();
    expect([...state.exposed.keys()]).toEqual(['quadraxis']);
    const expected = new Map<string, Set<string>>();
    const add = ([area, method]: [string, string]) => {
      if (!expected.has(area)) expected.set(area, new Set());
      expected.get(area)!.add(method);
    };
    Object.keys(invokeContract).forEach((c) => add(apiPath(c, 'invoke')));
    Object.keys(eventContract).forEach((c) => add(apiPath(c, 'event')));
    expect(new Set(Object.keys(api))).toEqual(new Set(expected.keys()));
    for (const [area, methods] of expected) {
      expect(new Set(Object.keys(api[area]!)), area).toEqual(methods);
      for (const method of methods) expect(typeof api[area]![method]).toBe('function');
    }
    expect(JSON.stringify(Object.keys(api))).not.toMatch(/ipcRenderer|send|invoke/);
  });

  it('forwards calls to the matching channel and nothing else', async () => {
    const { state, api } = loadPreload();
    await api.settings!.update!({ theme: 'dark' });
    await api.app!.openExternal!('https://docs.aws.amazon.com/');
    expect(state.rendererInvocations).toEqual([
      { channel: 'settings:update', args: [{ theme: 'dark' }] },
      { channel: 'app:open-external', args: ['https://docs.aws.amazon.com/'] },
    ]);
  });

  it('gives listeners the payload only, never the IPC event, and unsubscribes', () => {
    const { state, api } = loadPreload();
    const received: unknown[] = [];
    const off = api.settings!.onChanged!((payload: unknown) => received.push(payload)) as () => void;
    const [listener] = state.rendererListeners.get('settings:changed')!;
    listener!({ sender: { secret: 'ipc event' } }, { theme: 'dark' });
    expect(received).toEqual([{ theme: 'dark' }]);
    off();
    expect(state.rendererListeners.get('settings:changed')!.size).toBe(0);
    expect(() => api.settings!.onChanged!('not a function')).toThrow(TypeError);
  });
});
