import { useEffect, useState } from 'react';
import type { WebhookStatus } from '../../../../shared/ipc/webhook.contract';
import { api, unwrap } from '../../api';

/** The app's webhook listener, live: loaded once, then kept current by webhook:status-changed. */
export function useWebhookStatus(): WebhookStatus | undefined {
  const [status, setStatus] = useState<WebhookStatus>();
  useEffect(() => {
    let live = true;
    const off = api.webhook.onStatusChanged((next) => live && setStatus(next));
    void unwrap(api.webhook.status()).then(
      (first) => live && setStatus((current) => current ?? first),
      () => undefined,
    );
    return () => {
      live = false;
      off();
    };
  }, []);
  return status;
}
