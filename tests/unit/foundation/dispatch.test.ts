import { describe, expect, it } from 'vitest';
import { assertEveryChannelHandled, dispatch, type Handlers } from '../../../src/main/app/dispatch';
import { invokeContract } from '../../../src/shared/contract';
import { createLogger, silentLogger } from '../../../src/main/services/logger';
import { defaultSettings } from '../../../src/shared/settings';
import { AppError } from '../../../src/shared/result';

function handlersWith(overrides: Partial<Handlers>): Handlers {
  return overrides as Handlers;
}

describe('dispatch', () => {
  const ctx = { senderId: 1 };

  it('refuses an unknown channel and a payload that does not match, without calling the handler', async () => {
    let called = false;
    const handlers = handlersWith({
      'settings:update': () => {
        called = true;
        return defaultSettings();
      },
    });
    expect(await dispatch(handlers, 'settings:nope', undefined, ctx, silentLogger)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    const bad = await dispatch(handlers, 'settings:update', { theme: 'neon' }, ctx, silentLogger);
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringContaining('theme') },
    });
    expect(await dispatch(handlers, 'settings:update', { unknown: true }, ctx, silentLogger)).toMatchObject({
      ok: false,
    });
    expect(called).toBe(false);
  });

  it('strips fields the response schema does not declare, so a stray secret cannot leave main', async () => {
    const handlers = handlersWith({
      'settings:get': () => ({ ...defaultSettings(), secretAccessKey: 'wJalrXUtnFEMI/K7MDENG' }) as never,
    });
    const result = await dispatch(handlers, 'settings:get', undefined, ctx, silentLogger);
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result)).not.toContain('wJalrXUtnFEMI');
  });

  it('turns AppErrors into their code and other errors into INTERNAL, logging the latter', async () => {
    const lines: string[] = [];
    const logger = createLogger((l) => lines.push(l));
    const handlers = handlersWith({
      'app:info': () => {
        throw new AppError('NOT_FOUND', 'No such thing.');
      },
      'settings:get': () => {
        throw new Error('disk on fire');
      },
    });
    expect(await dispatch(handlers, 'app:info', undefined, ctx, logger)).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No such thing.' },
    });
    expect(await dispatch(handlers, 'settings:get', undefined, ctx, logger)).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL' },
    });
    expect(lines.join('\n')).toContain('disk on fire');
  });

  it('reports a handler whose response breaks the contract as INTERNAL', async () => {
    const handlers = handlersWith({ 'settings:get': () => ({ theme: 'system' }) as never });
    expect(await dispatch(handlers, 'settings:get', undefined, ctx, silentLogger)).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL' },
    });
  });

  it('refuses to start with a channel that has no handler, and names it', () => {
    const all = Object.fromEntries(Object.keys(invokeContract).map((channel) => [channel, () => null]));
    expect(() => assertEveryChannelHandled(all)).not.toThrow();
    const { ['versions:list']: _forgotten, ...rest } = all;
    expect(() => assertEveryChannelHandled(rest)).toThrow(/versions:list/);
  });
});
