import { z } from 'zod';

/** What a request asks for, once authenticated: decided from the event name, the payload and the branches. */
export type HookDecision =
  | { action: 'ping' }
  /** `commit`: the pushed commit, when the request names one (GitHub's `after`, a git hook's new sha). */
  | { action: 'bake'; detail: string; ref?: string; commit?: string }
  | { action: 'ignore'; reason: string }
  | { action: 'invalid'; reason: string };

/** The event name used for bearer-token calls that send no X-GitHub-Event (git hooks, CI scripts). */
export const TRIGGER_EVENT = 'trigger';
export const EVENT_NAME_PATTERN = /^[a-z_]{1,64}$/;

const CommitSchema = z.string().regex(/^[0-9a-f]{7,64}$/i);

const PushSchema = z.object({
  ref: z.string().min(1).max(512),
  after: z.string().max(64).optional(),
  deleted: z.boolean().optional(),
  repository: z.object({ default_branch: z.string().min(1).max(255).optional() }).optional(),
});

const TriggerSchema = z
  .object({ ref: z.string().min(1).max(512).optional(), after: CommitSchema.optional() })
  .optional();

const BRANCH_PREFIX = 'refs/heads/';

/**
 * GitHub: `ping` answers, `push` bakes when it is to one of the project's branches (none configured: the
 * repository's default branch), everything else is acknowledged and ignored. A bearer-token call without an
 * event bakes; if it names a ref and the project lists branches, the ref must be one of them.
 */
export function decide(event: string, payload: unknown, branches: readonly string[]): HookDecision {
  if (event === 'ping') return { action: 'ping' };
  if (event === TRIGGER_EVENT) {
    const parsed = TriggerSchema.safeParse(payload);
    if (!parsed.success) {
      return {
        action: 'invalid',
        reason: 'The body may only hold {"ref": "refs/heads/<branch>", "after": "<commit sha>"}.',
      };
    }
    const ref = parsed.data?.ref;
    const commit = parsed.data?.after?.toLowerCase();
    const decision =
      !ref || branches.length === 0
        ? { action: 'bake' as const, detail: ref ? `trigger for ${ref}` : 'trigger' }
        : matchBranch(ref, branches, 'trigger');
    return withCommit(decision, ref, commit);
  }
  if (event !== 'push') return { action: 'ignore', reason: `${event} events do not bake; only push does.` };
  const parsed = PushSchema.safeParse(payload);
  if (!parsed.success) return { action: 'invalid', reason: 'Not a GitHub push payload (no ref).' };
  const push = parsed.data;
  if (push.deleted) return { action: 'ignore', reason: `${push.ref} was deleted.` };
  const wanted =
    branches.length > 0 ? branches : [push.repository?.default_branch].filter((b) => b !== undefined);
  if (wanted.length === 0) {
    return {
      action: 'invalid',
      reason: 'The push names no default branch; list branches in the project’s triggers.',
    };
  }
  const after =
    push.after && CommitSchema.safeParse(push.after).success ? push.after.toLowerCase() : undefined;
  return withCommit(matchBranch(push.ref, wanted, 'push'), push.ref, after);
}

function withCommit(
  decision: HookDecision,
  ref: string | undefined,
  commit: string | undefined,
): HookDecision {
  if (decision.action !== 'bake') return decision;
  return {
    ...decision,
    ...(ref ? { ref } : {}),
    ...(commit ? { commit, detail: `${decision.detail} at ${commit.slice(0, 12)}` } : {}),
  };
}

function matchBranch(ref: string, wanted: readonly string[], what: string): HookDecision {
  if (!ref.startsWith(BRANCH_PREFIX)) return { action: 'ignore', reason: `${ref} is not a branch.` };
  const branch = ref.slice(BRANCH_PREFIX.length);
  if (!wanted.includes(branch)) {
    return { action: 'ignore', reason: `branch ${branch} does not bake (only ${wanted.join(', ')}).` };
  }
  return { action: 'bake', detail: `${what} to ${branch}` };
}
