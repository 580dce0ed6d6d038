import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSandbox, type TestSandbox } from './helpers';

let t: TestSandbox;
beforeEach(async () => {
  t = await openSandbox();
});
afterEach(() => t.close());

const AUTH =
  'AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/eu-west-1/ec2/aws4_request, SignedHeaders=host, Signature=0';

function post(body: string, headers: Record<string, string> = { authorization: AUTH }) {
  return fetch(t.sandbox.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
}

function errorCode(xml: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
}

describe('the wire', () => {
  it('answers an unknown action with InvalidAction in EC2 envelope, never HTML', async () => {
    const res = await post('Action=LaunchRocket&Version=2016-11-15');
    const xml = await res.text();
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('text/xml');
    expect(xml).toMatch(
      /^<\?xml[^>]*>\n<Response><Errors><Error><Code>InvalidAction<\/Code><Message>The action LaunchRocket is not valid for this web service\.<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/,
    );
  });

  it('does not mistake object properties for actions', async () => {
    expect(errorCode(await (await post('Action=toString&Version=2016-11-15')).text())).toBe('InvalidAction');
    expect(errorCode(await (await post('Action=constructor&Version=2016-11-15')).text())).toBe(
      'InvalidAction',
    );
  });

  it('refuses requests without Action, without a signature, or with bad structure', async () => {
    expect(errorCode(await (await post('Version=2016-11-15')).text())).toBe('MissingAction');
    const unsigned = await post('Action=DescribeRegions&Version=2016-11-15', {});
    expect(unsigned.status).toBe(403);
    expect(errorCode(await unsigned.text())).toBe('MissingAuthenticationToken');
    const clash = await post('Action=DescribeInstances&Version=2016-11-15&InstanceId=a&InstanceId.1=b');
    expect(errorCode(await clash.text())).toBe('MalformedQueryString');
    const badValue = await post(
      'Action=RunInstances&Version=2016-11-15&ImageId=ami-0123456789abcdef0&MinCount=one&MaxCount=1',
    );
    const xml = await badValue.text();
    expect(errorCode(xml)).toBe('InvalidParameterValue');
    expect(xml).toContain('for parameter MinCount is invalid');
    expect(errorCode(await (await post('Action=DescribeRegions&Version=2012-01-01')).text())).toBe(
      'InvalidParameterValue',
    );
  });

  it('accepts the GET form of the Query protocol, signed in the query string', async () => {
    const credential = encodeURIComponent('AKIDTEST/20260101/eu-west-1/ec2/aws4_request');
    const res = await fetch(
      `${t.sandbox.url}/?Action=DescribeRegions&Version=2016-11-15&RegionName.1=eu-west-1&X-Amz-Credential=${credential}`,
    );
    const xml = await res.text();
    expect(res.status).toBe(200);
    expect(xml).toContain('<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">');
    expect(xml).toContain('<regionName>eu-west-1</regionName>');
  });

  it('routes STS by Version, with STS envelopes', async () => {
    const ok = await post('Action=GetCallerIdentity&Version=2011-06-15');
    expect(await ok.text()).toContain('<GetCallerIdentityResult><UserId>');
    const unknown = await post('Action=GetSessionToken&Version=2011-06-15');
    expect(await unknown.text()).toMatch(
      /<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code>/,
    );
  });

  it('routes SSM by X-Amz-Target and answers JSON errors', async () => {
    const call = (target: string, body: string) =>
      fetch(t.sandbox.url, {
        method: 'POST',
        headers: {
          authorization: AUTH,
          'x-amz-target': target,
          'content-type': 'application/x-amz-json-1.1',
        },
        body,
      });
    const unknown = await call('AmazonSSM.SendCommand', '{}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    const malformed = await call('AmazonSSM.GetParameter', '{not json');
    expect(await malformed.json()).toMatchObject({ __type: 'SerializationException' });
    const invalid = await call('AmazonSSM.GetParameter', '{"Name": 7}');
    expect(await invalid.json()).toMatchObject({ __type: 'ValidationException' });
  });

  it('refuses a body over 1 MB with 413', async () => {
    const res = await post(`Action=DescribeRegions&Version=2016-11-15&Pad=${'x'.repeat(1024 * 1024)}`);
    expect(res.status).toBe(413);
    expect(errorCode(await res.text())).toBe('RequestEntityTooLarge');
  });

  it('logs every call with its region, time, parameters and outcome', async () => {
    await post('Action=DescribeRegions&Version=2016-11-15&RegionName.1=eu-west-1');
    await post('Action=RunInstances&Version=2016-11-15&UserData=aGVsbG8=');
    const calls = t.sandbox.sim.calls();
    expect(calls).toMatchObject([
      {
        seq: 1,
        service: 'ec2',
        action: 'DescribeRegions',
        region: 'eu-west-1',
        time: Date.UTC(2026, 0, 1),
        outcome: 'ok',
        status: 200,
        params: { 'RegionName.1': 'eu-west-1' },
      },
      {
        seq: 2,
        action: 'RunInstances',
        outcome: 'MissingParameter',
        status: 400,
        params: { UserData: '(8 base64 chars)' },
      },
    ]);
  });
});
