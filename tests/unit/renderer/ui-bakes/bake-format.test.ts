import { describe, expect, it } from 'vitest';
import {
  bakeElapsed,
  bakeProgress,
  currentStep,
  describeCleanup,
  describeFailure,
  formatDuration,
  formatTime,
  queueMessage,
  sentence,
  stepElapsed,
  timelineBars,
  visibleSteps,
} from '../../../../src/renderer/src/components/bake/bake-format';
import { at, record } from './fixtures';

describe('formatDuration', () => {
  it('is precise when short and calm when long', () => {
    expect(formatDuration(0)).toBe('< 0.1 s');
    expect(formatDuration(-5)).toBe('< 0.1 s');
    expect(formatDuration(180)).toBe('0.2 s');
    expect(formatDuration(9_940)).toBe('9.9 s');
    expect(formatDuration(9_960)).toBe('10 s');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(185_000)).toBe('3 m 05 s');
    expect(formatDuration(3_725_000)).toBe('1 h 02 m');
  });
});

describe('step and bake durations', () => {
  it('times finished steps by their events and running ones by the clock', () => {
    expect(stepElapsed({ step: 'launch', status: 'done', startedAt: at(1), endedAt: at(3.5) }, at(100))).toBe(
      2500,
    );
    expect(stepElapsed({ step: 'run-script', status: 'running', startedAt: at(4) }, at(10))).toBe(6000);
    expect(stepElapsed({ step: 'stop', status: 'pending' }, at(10))).toBeUndefined();
  });

  it('measures a bake from its start to its end, or to now while it runs', () => {
    expect(bakeElapsed(record({ startedAt: at(2) }), at(12))).toBe(10_000);
    expect(bakeElapsed(record({ status: 'succeeded', startedAt: at(2), endedAt: at(7) }), at(99))).toBe(5000);
    // Never started, and already over: no time at all rather than time since.
    expect(bakeElapsed(record({ status: 'failed', startedAt: undefined }), at(99))).toBe(0);
  });

  it('shows the time of day today and adds the date on other days', () => {
    expect(formatTime(at(0), at(60), 'en-GB')).toBe('12:00:00');
    expect(formatTime(at(0), at(86_400 * 2), 'en-GB')).toMatch(/^1 Jan,? 12:00:00$/);
  });
});

describe('bakeProgress', () => {
  it('weighs the long steps more and counts a running step half', () => {
    expect(bakeProgress(record())).toBe(0);
    const launched = record({}, { preflight: { status: 'done' }, launch: { status: 'done' } });
    const scripting = record(
      {},
      {
        preflight: { status: 'done' },
        launch: { status: 'done' },
        'wait-running': { status: 'done' },
        'run-script': { status: 'running' },
      },
    );
    expect(bakeProgress(launched)).toBe(6);
    expect(bakeProgress(scripting)).toBe(35);
  });

  it('is 100 when the bake succeeded and stays where it stopped otherwise', () => {
    expect(bakeProgress(record({ status: 'succeeded' }))).toBe(100);
    const failed = record(
      { status: 'failed' },
      { preflight: { status: 'done' }, launch: { status: 'failed' } },
    );
    expect(bakeProgress(failed)).toBe(3);
  });
});

describe('words for a bake', () => {
  it('names the running step, else the one that failed', () => {
    expect(currentStep(record({}, { launch: { status: 'running' } }))?.step).toBe('launch');
    expect(currentStep(record({}, { stop: { status: 'failed' } }))?.step).toBe('stop');
    expect(currentStep(record())).toBeUndefined();
  });

  it('turns step fragments into sentences without capitalising resource ids', () => {
    expect(sentence('launched i-0abc (t3.micro)')).toBe('Launched i-0abc (t3.micro)');
    expect(sentence('ami-0abc is available')).toBe('ami-0abc is available.');
    expect(sentence('the script exited 0')).toBe('The script exited 0.');
    expect(sentence('  ')).toBe('');
  });

  it('lists cleanup only when it ran', () => {
    expect(visibleSteps(record()).map((s) => s.step)).not.toContain('cleanup');
    const cleaned = record({}, { cleanup: { status: 'done' } });
    expect(visibleSteps(cleaned).map((s) => s.step)).toContain('cleanup');
  });

  it('says what cleanup did, or why there was nothing to do', () => {
    const cleaned = record(
      { cleanedUp: ['terminated i-1', 'deregistered ami-2', 'deleted snap-3'] },
      { cleanup: { status: 'done' } },
    );
    expect(describeCleanup(cleaned)).toBe(
      'Cleaned up afterwards: terminated i-1, deregistered ami-2 and deleted snap-3.',
    );
    expect(describeCleanup(record({ status: 'failed' }))).toBe(
      'Nothing had been launched yet, so there was nothing to clean up.',
    );
    const stuck = record({}, { cleanup: { status: 'failed', message: 'TerminateInstances was denied' } });
    expect(describeCleanup(stuck)).toMatch(
      /^Cleanup did not finish: TerminateInstances was denied\. Run `quadraxis sweep`/,
    );
  });

  it('explains a failed script with its exit code, console tail and cleanup', () => {
    const failed = record(
      {
        status: 'failed',
        instanceId: 'i-1',
        cleanedUp: ['terminated i-1'],
        error: {
          step: 'run-script',
          code: 'SCRIPT_FAILED',
          message: 'The init script failed with exit code 3.',
          exitCode: 3,
          consoleTail: ['apt-get install nginx', 'E: no space left'],
        },
      },
      { 'run-script': { status: 'failed' }, cleanup: { status: 'done' } },
    );
    expect(describeFailure(failed)).toEqual({
      title: 'Failed at “Run init script”',
      sentences: ['The init script failed with exit code 3.', 'Cleaned up afterwards: terminated i-1.'],
      consoleTail: ['apt-get install nginx', 'E: no space left'],
    });
  });

  it('adds the exit code when the message does not give it', () => {
    const failed = record({
      status: 'failed',
      error: { step: 'run-script', code: 'SCRIPT_FAILED', message: 'The script stopped', exitCode: 2 },
    });
    expect(describeFailure(failed)?.sentences.slice(0, 2)).toEqual([
      'The script stopped.',
      'The script exited with code 2.',
    ]);
  });

  it('says where a cancelled bake stopped, and has nothing to say about a running one', () => {
    const cancelled = record({ status: 'cancelled' }, { 'wait-image': { status: 'cancelled' } });
    expect(describeFailure(cancelled)?.title).toBe('Cancelled during “Wait for image”');
    expect(describeFailure(record())).toBeUndefined();
  });

  it('reads the queue position from the engine message', () => {
    const message = 'Waiting for a free slot in us-east-1: 4 bakes running, 2 ahead.';
    expect(queueMessage(record({ status: 'queued', message }))).toBe('Waiting for a free slot (2 ahead)');
    expect(queueMessage(record({ status: 'queued' }))).toBe('Queued');
  });
});

describe('timelineBars', () => {
  it('places each step that ran on the bake’s own time axis', () => {
    const done = record(
      { status: 'succeeded' },
      {
        preflight: { status: 'done', startedAt: at(0), endedAt: at(1) },
        launch: { status: 'done', startedAt: at(1), endedAt: at(2) },
        'run-script': { status: 'done', startedAt: at(2), endedAt: at(10) },
      },
    );
    const { bars, spanMs } = timelineBars(done);
    expect(spanMs).toBe(10_000);
    expect(bars.map((b) => [b.step, b.offset, b.width, b.durationMs])).toEqual([
      ['preflight', 0, 0.1, 1000],
      ['launch', 0.1, 0.1, 1000],
      ['run-script', 0.2, 0.8, 8000],
    ]);
    expect(timelineBars(record()).bars).toEqual([]);
  });
});
