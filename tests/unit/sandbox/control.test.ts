import { DescribeImagesCommand, DescribeInstancesCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTROL_TOKEN_HEADER } from '../../../src/sandbox';
import { errorOf, openSandbox, type TestSandbox } from './helpers';

let t: TestSandbox;
beforeEach(async () => {
  t = await openSandbox({ controlToken: 'secret-token' });
});
afterEach(() => t.close());

function control(method: string, path: string, body?: unknown, token = 'secret-token') {
  return fetch(`${t.sandbox.url}/_sandbox/${path}`, {
    method,
    headers: { [CONTROL_TOKEN_HEADER]: token, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function launch(): Promise<string> {
  const image = (await t.ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images!.find(
    (i) => i.Architecture === 'x86_64',
  )!;
  const out = await t.ec2.send(
    new RunInstancesCommand({ ImageId: image.ImageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }),
  );
  return out.Instances![0]!.InstanceId!;
}

describe('the control endpoint', () => {
  it('refuses without the token', async () => {
    expect((await fetch(`${t.sandbox.url}/_sandbox/state`)).status).toBe(401);
    const wrong = await control('GET', 'state', undefined, 'guess');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: `missing or wrong ${CONTROL_TOKEN_HEADER} header` });
  });

  it('shows state and the call log', async () => {
    const id = await launch();
    const state = (await (await control('GET', 'state?region=eu-west-1')).json()) as {
      instances: { instanceId: string; state: string }[];
    };
    expect(state.instances).toMatchObject([{ instanceId: id, state: 'pending' }]);
    const calls = (await (await control('GET', 'calls?action=RunInstances')).json()) as { action: string }[];
    expect(calls.map((c) => c.action)).toEqual(['RunInstances']);
  });

  it('sets the scenario and queues timelines, validating them', async () => {
    const bad = await control('PUT', 'scenario', { outcome: 'explode' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('outcome');
    expect(
      await (await control('PUT', 'scenario', { outcome: { exitCode: 2 }, image: 'failed' })).json(),
    ).toEqual({
      outcome: { exitCode: 2 },
      image: 'failed',
    });
    expect(t.sandbox.sim.scenario()).toEqual({ outcome: { exitCode: 2 }, image: 'failed' });
    const queued = await control('POST', 'timelines', [
      { runningAfterMs: 100 },
      { runningAfterMs: 200, outcome: 'hang' },
    ]);
    expect(await queued.json()).toEqual({ pendingTimelines: 2 });
    await launch();
    await t.clock.advance(100);
    expect(t.sandbox.sim.instances()[0]!.state).toBe('running');
    expect(t.sandbox.sim.pendingTimelines()).toBe(1);
  });

  it('injects and clears faults that the next SDK call meets', async () => {
    await control('POST', 'faults', { action: 'DescribeInstances', fault: 'InternalError', count: 1 });
    expect((await errorOf(t.ec2.send(new DescribeInstancesCommand({})))).name).toBe('InternalError');
    await control('POST', 'faults', [{ action: 'DescribeInstances', fault: 'Unavailable' }]);
    expect(await (await control('GET', 'faults')).json()).toEqual([
      { action: 'DescribeInstances', fault: 'Unavailable', count: 1 },
    ]);
    await control('DELETE', 'faults');
    expect((await t.ec2.send(new DescribeInstancesCommand({}))).Reservations).toEqual([]);
    expect((await control('POST', 'faults', { action: 'X', fault: 'Meteor' })).status).toBe(400);
  });

  it('acts behind the bake back, sets DryRun permissions, resets', async () => {
    const id = await launch();
    expect((await control('POST', `instances/${id}/stop`)).status).toBe(409);
    await t.clock.advance(t.sandbox.sim.timings.pendingMs);
    const stopped = (await (await control('POST', `instances/${id}/stop`)).json()) as {
      state: string;
      stateReason: { code: string };
    };
    expect(stopped).toMatchObject({
      state: 'stopping',
      stateReason: { code: 'Client.UserInitiatedShutdown' },
    });
    const gone = (await (await control('POST', `instances/${id}/terminate`)).json()) as { state: string };
    expect(gone.state).toBe('shutting-down');
    expect(
      await (await control('PUT', 'dry-run', { action: 'RunInstances', allowed: false })).json(),
    ).toEqual({ action: 'RunInstances', allowed: false });
    expect((await control('POST', 'reset')).status).toBe(200);
    expect(t.sandbox.sim.instances()).toEqual([]);
    expect(t.sandbox.sim.calls()).toEqual([]);
    expect((await control('GET', 'nothing-here')).status).toBe(404);
    expect((await control('PUT', 'scenario', undefined)).status).toBe(400);
  });
});
