import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/main/services/webhook/events';

const push = (ref: string, more: Record<string, unknown> = {}) => ({
  ref,
  repository: { default_branch: 'main' },
  ...more,
});

describe('what a delivery asks for', () => {
  it('answers ping', () => {
    expect(decide('ping', { zen: 'Keep it logically awesome.' }, [])).toEqual({ action: 'ping' });
  });

  it('bakes a push to the default branch when the project lists no branches', () => {
    expect(decide('push', push('refs/heads/main'), [])).toEqual({
      action: 'bake',
      detail: 'push to main',
      ref: 'refs/heads/main',
    });
    expect(decide('push', push('refs/heads/dev'), [])).toMatchObject({
      action: 'ignore',
      reason: expect.stringContaining('dev'),
    });
  });

  it('bakes only the listed branches when there are some', () => {
    expect(decide('push', push('refs/heads/release/1.2'), ['release/1.2', 'prod'])).toEqual({
      action: 'bake',
      detail: 'push to release/1.2',
      ref: 'refs/heads/release/1.2',
    });
    expect(decide('push', push('refs/heads/main'), ['prod'])).toMatchObject({ action: 'ignore' });
  });

  it('ignores tags, deleted branches and other events', () => {
    expect(decide('push', push('refs/tags/v1.0'), [])).toMatchObject({
      action: 'ignore',
      reason: 'refs/tags/v1.0 is not a branch.',
    });
    expect(decide('push', push('refs/heads/main', { deleted: true }), [])).toMatchObject({
      action: 'ignore',
    });
    expect(decide('issues', { action: 'opened' }, [])).toMatchObject({
      action: 'ignore',
      reason: expect.stringContaining('issues'),
    });
  });

  it('refuses a push without a ref, or without a default branch to compare with', () => {
    expect(decide('push', { hello: 1 }, [])).toMatchObject({ action: 'invalid' });
    expect(decide('push', undefined, [])).toMatchObject({ action: 'invalid' });
    expect(decide('push', { ref: 'refs/heads/main' }, [])).toMatchObject({ action: 'invalid' });
    expect(decide('push', { ref: 'refs/heads/main' }, ['main'])).toMatchObject({ action: 'bake' });
  });

  it('bakes a bearer trigger, filtered by branch only when it names a ref and branches are listed', () => {
    expect(decide('trigger', undefined, ['prod'])).toEqual({ action: 'bake', detail: 'trigger' });
    expect(decide('trigger', { ref: 'refs/heads/dev' }, [])).toMatchObject({ action: 'bake' });
    expect(decide('trigger', { ref: 'refs/heads/dev' }, ['prod'])).toMatchObject({ action: 'ignore' });
    expect(decide('trigger', { ref: 'refs/heads/prod' }, ['prod'])).toMatchObject({ action: 'bake' });
    expect(decide('trigger', { ref: 42 }, [])).toMatchObject({ action: 'invalid' });
  });

  it('names the pushed commit, from GitHub’s after or a git hook’s, for recognising a repeat', () => {
    const sha = 'AB'.repeat(20);
    expect(decide('push', push('refs/heads/main', { after: sha }), [])).toEqual({
      action: 'bake',
      detail: `push to main at ${'ab'.repeat(6)}`,
      ref: 'refs/heads/main',
      commit: 'ab'.repeat(20),
    });
    expect(decide('trigger', { ref: 'refs/heads/prod', after: sha }, ['prod'])).toMatchObject({
      action: 'bake',
      commit: 'ab'.repeat(20),
    });
    expect(decide('trigger', { ref: 'refs/heads/prod', after: 'not a sha' }, [])).toMatchObject({
      action: 'invalid',
    });
  });
});
