import { create } from 'zustand';
import type { Deployment, DeployEvent } from '../../../shared/deploy';
import { applyDeployEvent } from '../../../shared/deploy-reducer';
import { api, errorMessage, unwrap } from '../api';

interface DeployState {
  records: Record<string, Deployment>;
  /** Per project: deployment ids, newest first. */
  history: Record<string, string[]>;
  loadErrors: Record<string, string>;
}

export const useDeployStore = create<DeployState>(() => ({ records: {}, history: {}, loadErrors: {} }));

/**
 * Deployments in the renderer: snapshots from main (deploy:get, deploy:list) with the deploy:event stream
 * applied on top. An event at or below a record's seq is a repeat and dropped; one past a gap (an event
 * missed) is answered with a fresh snapshot.
 */
let subscribed = false;

function subscribe(): void {
  if (subscribed) return;
  subscribed = true;
  api.deploy.onEvent((event) => apply(event));
}

function apply(event: DeployEvent): void {
  const { records, history } = useDeployStore.getState();
  const current = records[event.deployId];
  if (event.type !== 'created' && !current) return;
  if (current && event.type !== 'created' && event.seq > current.seq + 1) {
    void load(event.deployId);
    return;
  }
  const record = applyDeployEvent(current, event);
  const ids = history[record.project];
  useDeployStore.setState({
    records: { ...records, [record.id]: record },
    ...(event.type === 'created' && ids && !ids.includes(record.id)
      ? { history: { ...history, [record.project]: [record.id, ...ids] } }
      : {}),
  });
}

async function load(id: string): Promise<void> {
  try {
    const record = await unwrap(api.deploy.get(id));
    const { records } = useDeployStore.getState();
    const current = records[id];
    if (!current || current.seq <= record.seq)
      useDeployStore.setState({ records: { ...useDeployStore.getState().records, [id]: record } });
  } catch (error) {
    useDeployStore.setState({
      loadErrors: { ...useDeployStore.getState().loadErrors, [id]: errorMessage(error) },
    });
  }
}

/** A deployment page opens: its record now, and every event after. */
export function openDeployment(id: string): Promise<void> {
  subscribe();
  return load(id);
}

/** A project's history: newest first, kept live by events. */
export async function loadHistory(project: string): Promise<void> {
  subscribe();
  const list = await unwrap(api.deploy.list({ project, limit: 50 }));
  const { records, history } = useDeployStore.getState();
  const next = { ...records };
  for (const d of list) if (!next[d.id] || next[d.id]!.seq < d.seq) next[d.id] = d;
  useDeployStore.setState({ records: next, history: { ...history, [project]: list.map((d) => d.id) } });
}

/** A deployment just started from this window: known before its first event arrives. */
export function remember(record: Deployment): void {
  subscribe();
  const { records } = useDeployStore.getState();
  if (!records[record.id] || records[record.id]!.seq < record.seq)
    useDeployStore.setState({ records: { ...records, [record.id]: record } });
}
