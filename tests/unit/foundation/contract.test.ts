import { describe, expect, it } from 'vitest';
import { EVENT_CHANNELS, INVOKE_CHANNELS, apiPath } from '../../../src/shared/channels';
import { eventContract, invokeContract } from '../../../src/shared/contract';

describe('the IPC contract', () => {
  it('lists the same channels in the preload-facing name lists as in the schemas', () => {
    expect([...INVOKE_CHANNELS].sort()).toEqual(Object.keys(invokeContract).sort());
    expect([...EVENT_CHANNELS].sort()).toEqual(Object.keys(eventContract).sort());
  });

  it('uses namespaced area:verb names that map to distinct API paths', () => {
    const paths = new Set<string>();
    for (const channel of INVOKE_CHANNELS) {
      expect(channel).toMatch(/^[a-z]+:[a-z]+(?:-[a-z]+)*$/);
      paths.add(apiPath(channel, 'invoke').join('.'));
    }
    for (const channel of EVENT_CHANNELS) {
      expect(channel).toMatch(/^[a-z]+:[a-z]+(?:-[a-z]+)*$/);
      paths.add(apiPath(channel, 'event').join('.'));
    }
    expect(paths.size).toBe(INVOKE_CHANNELS.length + EVENT_CHANNELS.length);
  });

  it('camel-cases verbs and prefixes events with on', () => {
    expect(apiPath('app:open-external', 'invoke')).toEqual(['app', 'openExternal']);
    expect(apiPath('settings:changed', 'event')).toEqual(['settings', 'onChanged']);
  });
});
