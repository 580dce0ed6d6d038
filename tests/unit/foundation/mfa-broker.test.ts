import { describe, expect, it } from 'vitest';
import { MfaBroker, type MfaRequest } from '../../../src/main/app/mfa-broker';

describe('MfaBroker', () => {
  it('carries the prompt out and the code back, once', async () => {
    const broker = new MfaBroker();
    const seen: MfaRequest[] = [];
    broker.onRequest((request) => seen.push(request));
    const code = broker.ask('arn:aws:iam::123456789012:mfa/ops', 'prod');
    expect(seen).toEqual([
      { requestId: expect.any(String), profile: 'prod', mfaSerial: 'arn:aws:iam::123456789012:mfa/ops' },
    ]);
    expect(broker.answer(seen[0]!.requestId, '123456')).toBe(true);
    await expect(code).resolves.toBe('123456');
    expect(broker.answer(seen[0]!.requestId, '654321')).toBe(false);
  });

  it('turns a cancelled dialog into CANCELLED and an unanswered one into MFA_REQUIRED', async () => {
    const broker = new MfaBroker(20);
    const seen: MfaRequest[] = [];
    broker.onRequest((request) => seen.push(request));
    const cancelled = broker.ask('serial', 'prod');
    broker.answer(seen[0]!.requestId, null);
    await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(broker.ask('serial', 'prod')).rejects.toMatchObject({ code: 'MFA_REQUIRED' });
  });

  it('refuses at once when no window listens', async () => {
    await expect(new MfaBroker().ask('serial', 'prod')).rejects.toMatchObject({ code: 'MFA_REQUIRED' });
  });
});
