import {
  DEPLOY_STEP_LABELS,
  type Deployment,
  type DeployEvent,
  type DeployInstance,
} from '../../../shared/deploy';
import { describePreferences } from './preferences';

/**
 * Deploy events as lines for a terminal or a log: what changed, instance by instance where AWS says so.
 * Stateful (it remembers the instances it last printed), one per deployment being followed.
 */
export class DeployEventText {
  private instances = new Map<string, string>();

  lines(event: DeployEvent): string[] {
    switch (event.type) {
      case 'created': {
        const d = event.record;
        const what =
          d.kind === 'rollback'
            ? `Rolling ${d.group} back to ${d.imageId}`
            : `Deploying ${d.project}${d.version !== undefined ? ` version ${d.version}` : ''} (${d.imageId}) to ${d.group}`;
        for (const i of d.instances) this.instances.set(i.instanceId, state(i));
        return [
          `${what} in ${d.region} with profile ${d.profile}${d.simulated ? ' (sandbox)' : ''}: ${d.id}`,
          `  ${describePreferences(d.preferences)}`,
          ...d.warnings.map((w) => `  note: ${w}`),
        ];
      }
      case 'step':
        if (event.status === 'pending') return [];
        return [
          `${DEPLOY_STEP_LABELS[event.step]}: ${event.status}${event.message ? ` — ${event.message}` : ''}`,
        ];
      case 'template':
        return [];
      case 'refresh': {
        const r = event.refresh;
        const rollback = r.rollback
          ? ` (rolling back: ${r.rollback.percentage} %, ${r.rollback.instancesToUpdate} to go)`
          : '';
        const reason = r.statusReason ? ` — ${r.statusReason}` : '';
        return [
          `${event.rollback ? 'Rollback refresh' : 'Refresh'} ${r.status} ${r.percentage} % (${r.instancesToUpdate} to update)${rollback}${reason}`,
        ];
      }
      case 'instances': {
        const lines: string[] = [];
        const seen = new Set<string>();
        for (const i of event.instances) {
          seen.add(i.instanceId);
          const now = state(i);
          const before = this.instances.get(i.instanceId);
          if (before !== now) lines.push(`  ${i.instanceId} ${before ? `${before} → ` : 'new: '}${now}`);
          this.instances.set(i.instanceId, now);
        }
        for (const [id, before] of this.instances) {
          if (seen.has(id)) continue;
          lines.push(`  ${id} ${before} → gone`);
          this.instances.delete(id);
        }
        return lines;
      }
      case 'error':
        return [`error: ${event.error.message}`];
      case 'finished':
        return [describeDeployOutcome(event.record)];
    }
  }
}

function state(i: DeployInstance): string {
  return `${i.lifecycleState} ${i.health}${i.imageId ? ` ${i.imageId}` : ''}${i.launchTemplateVersion ? ` (v${i.launchTemplateVersion})` : ''}`;
}

export function describeDeployOutcome(d: Deployment): string {
  return `${d.status}: ${d.message ?? ''}`.trim();
}
