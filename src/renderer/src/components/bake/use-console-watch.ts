import { useEffect } from 'react';
import { CONSOLE_WATCH_RENEW_MS } from '../../../../shared/ipc/bake.contract';
import { api } from '../../api';

/**
 * Streams a running bake's console while this page shows it. Every GetConsoleOutput is a call on the
 * account's EC2 budget that cannot be batched, so main reads it only while some window holds a watch: this
 * one renews its lease while mounted and lets go on leaving; a crashed window's lease simply lapses.
 */
export function useConsoleWatch(bakeId: string, live: boolean): void {
  useEffect(() => {
    if (!live) return;
    const watch = (watching: boolean) => void api.bake.watch({ id: bakeId, watching }).catch(() => undefined);
    watch(true);
    const renew = setInterval(() => watch(true), CONSOLE_WATCH_RENEW_MS);
    return () => {
      clearInterval(renew);
      watch(false);
    };
  }, [bakeId, live]);
}
