import { SandboxError } from '../wire/errors';
import type { Principal } from './credentials';
import { evaluate, type Decision, type RequestContext } from './policy';
import type { IamWorld } from './world';

/**
 * Whether a principal may make one call on one resource, decided as IAM decides: an instance-role session
 * by its role's policies; the account's own user and AssumeRole sessions may do anything except what the
 * world's `callerDenied` list takes away (how tests make the engine's identity lack a permission).
 */
export function decide(
  iam: IamWorld,
  principal: Principal,
  action: string,
  resource: string,
  context: RequestContext = {},
): Decision {
  if (principal.kind !== 'instance-role') return iam.callerDenied.has(action) ? 'implicitDeny' : 'allowed';
  const role = iam.roles.get(principal.role);
  if (!role) return 'implicitDeny';
  return evaluate([...role.policies.values()], action, resource, context).decision;
}

/** AWS's words for a denial, naming who, what and on which resource. */
export function denialMessage(
  principal: Principal,
  action: string,
  resource: string,
  decision: Decision,
): string {
  const why =
    decision === 'explicitDeny'
      ? `with an explicit deny in an identity-based policy`
      : `because no identity-based policy allows the ${action} action`;
  return `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
}

/** Throws `code` (AccessDeniedException for JSON services, AccessDenied for Query ones) unless allowed. */
export function authorize(
  iam: IamWorld,
  principal: Principal,
  action: string,
  resource: string,
  options: { code?: string; context?: RequestContext } = {},
): void {
  const decision = decide(iam, principal, action, resource, options.context);
  if (decision === 'allowed') return;
  throw new SandboxError(
    options.code ?? 'AccessDeniedException',
    denialMessage(principal, action, resource, decision),
    options.code === 'AccessDenied' ? 403 : 400,
  );
}
