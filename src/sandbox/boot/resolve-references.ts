import type { UnresolvedReason, WireReference } from '../../protocol/env-references';
import type { Principal } from '../iam/credentials';
import { SandboxError } from '../wire/errors';

/**
 * What the wrapper's resolver would get on a simulated builder (no VM runs it): each reference read with
 * the instance's role session through the Sandbox's own SSM and Secrets Manager actions, so the role's
 * allow list, the parameter's existence and the key's state decide exactly as they do for a real helper.
 * Values stay inside the Sandbox (they are AWS's); the plan only uses them to mask the simulated output.
 */
export type Resolution =
  | { ok: true; values: Record<string, string> }
  | { ok: false; name: string; reason: UnresolvedReason; message: string };

export interface ReferenceReader {
  /** The instance-role principal for an instance profile ARN; undefined when it holds no role (or none exists). */
  principal(profileArn: string, instanceId: string): Principal | undefined;
  getParameters(principal: Principal, names: string[]): { Parameters?: { Value: string }[] };
  getSecretValue(principal: Principal, id: string): { SecretString?: string; SecretBinary?: string };
}

function reasonOf(error: SandboxError): UnresolvedReason {
  if (/AccessDenied/.test(error.code)) return 'denied';
  if (/NotFound/.test(error.code)) return 'not-found';
  return 'error';
}

export function resolveReferences(
  refs: readonly WireReference[],
  profileArn: string | undefined,
  instanceId: string,
  reader: ReferenceReader,
): Resolution {
  const first = refs[0]!.name;
  const principal = profileArn ? reader.principal(profileArn, instanceId) : undefined;
  if (!principal)
    return {
      ok: false,
      name: first,
      reason: 'no-profile',
      message: 'the builder has no instance profile: instance metadata has no role credentials',
    };
  const values: Record<string, string> = {};
  for (const ref of refs) {
    try {
      if (ref.source === 'ssm') {
        const found = reader.getParameters(principal, [ref.id]).Parameters?.[0];
        if (!found)
          return {
            ok: false,
            name: ref.name,
            reason: 'not-found',
            message: `ParameterNotFound: no parameter ${ref.id}`,
          };
        values[ref.name] = found.Value;
        continue;
      }
      const got = reader.getSecretValue(principal, ref.id);
      let value = got.SecretString ?? Buffer.from(got.SecretBinary ?? '', 'base64').toString('utf8');
      if (ref.key !== undefined) {
        let parsed: unknown;
        try {
          parsed = (JSON.parse(value) as Record<string, unknown>)[ref.key];
        } catch {
          parsed = undefined;
        }
        if (parsed === undefined)
          return {
            ok: false,
            name: ref.name,
            reason: 'not-found',
            message: `secret ${ref.id} holds no JSON key ${ref.key}`,
          };
        value = typeof parsed === 'string' ? parsed : JSON.stringify(parsed);
      }
      values[ref.name] = value;
    } catch (error) {
      if (!(error instanceof SandboxError)) throw error;
      return {
        ok: false,
        name: ref.name,
        reason: reasonOf(error),
        message: `${error.code}: ${error.message}`,
      };
    }
  }
  return { ok: true, values };
}
