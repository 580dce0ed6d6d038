import { z } from 'zod';
import { memberList } from '../autoscaling/params';
import type { SimulatorCore } from '../core';
import type { QueryService } from '../wire/service';
import { SandboxError } from '../wire/errors';
import { parseParams, type QueryTree } from '../wire/query';
import { awsQueryDocument, awsQueryErrorDocument, isoTime, type XmlValue } from '../wire/xml';
import { authorize } from './authorize';
import { evaluate } from './policy';
import type { InstanceProfileRecord, RoleRecord } from './world';

const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** What a role trusts: EC2, as every instance-profile role does. */
const EC2_TRUST = encodeURIComponent(
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  }),
);

function roleXml(role: RoleRecord): { [key: string]: XmlValue } {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: isoTime(role.createdAt),
    AssumeRolePolicyDocument: EC2_TRUST,
  };
}

function profileXml(core: SimulatorCore, profile: InstanceProfileRecord): { [key: string]: XmlValue } {
  const role = profile.role ? core.iam.roles.get(profile.role) : undefined;
  return {
    Path: profile.path,
    InstanceProfileName: profile.name,
    InstanceProfileId: profile.id,
    Arn: profile.arn,
    CreateDate: isoTime(profile.createdAt),
    Roles: role ? [roleXml(role)] : [],
  };
}

const GetInstanceProfileSchema = z.object({ InstanceProfileName: z.string().min(1).max(128) });
const SimulateSchema = z.object({
  PolicySourceArn: z.string().min(20).max(2048),
  ActionNames: memberList(z.string().min(3).max(128)),
  ResourceArns: memberList(z.string().min(1).max(2048)).optional(),
  ContextEntries: memberList(
    z.object({
      ContextKeyName: z.string(),
      ContextKeyValues: memberList(z.string()),
      ContextKeyType: z.string(),
    }),
  ).optional(),
});

type Handler = (
  core: SimulatorCore,
  tree: QueryTree,
  caller: Parameters<QueryService['handle']>[3],
) => {
  [key: string]: XmlValue;
};

const ACTIONS: Record<string, Handler> = {
  GetInstanceProfile: (core, tree, caller) => {
    const { InstanceProfileName } = parseParams(GetInstanceProfileSchema, tree);
    const arn = `arn:aws:iam::${core.accountId}:instance-profile/${InstanceProfileName}`;
    authorize(core.iam, caller.principal, 'iam:GetInstanceProfile', arn, { code: 'AccessDenied' });
    const profile = core.iam.findProfile(InstanceProfileName);
    if (!profile)
      throw new SandboxError('NoSuchEntity', `Instance Profile ${InstanceProfileName} cannot be found.`, 404);
    return { InstanceProfile: profileXml(core, profile) };
  },
  /**
   * How IAM's policy simulator answers for a role: each action on each resource, decided by the role's
   * policies alone (no resource policies, no permission boundaries, no SCPs — the Sandbox has none).
   */
  SimulatePrincipalPolicy: (core, tree, caller) => {
    const p = parseParams(SimulateSchema, tree);
    authorize(core.iam, caller.principal, 'iam:SimulatePrincipalPolicy', p.PolicySourceArn, {
      code: 'AccessDenied',
    });
    const role = core.iam.findRole(p.PolicySourceArn);
    if (!role)
      throw new SandboxError('NoSuchEntity', `The role with ARN ${p.PolicySourceArn} cannot be found.`, 404);
    const context = Object.fromEntries(
      (p.ContextEntries ?? []).map((c) => [c.ContextKeyName, c.ContextKeyValues ?? []]),
    );
    const resources = p.ResourceArns && p.ResourceArns.length > 0 ? p.ResourceArns : ['*'];
    const results = (p.ActionNames ?? []).flatMap((action) =>
      resources.map((resource) => {
        const { decision, matched } = evaluate([...role.policies.values()], action, resource, context);
        return {
          EvalActionName: action,
          EvalResourceName: resource,
          EvalDecision: decision,
          MatchedStatements: matched.map((s) => ({
            SourcePolicyId: s.Sid ?? '',
            SourcePolicyType: 'IAM Policy',
          })),
          MissingContextValues: [],
        };
      }),
    );
    return { EvaluationResults: results, IsTruncated: 'false' };
  },
};

/** IAM (global, Query protocol, version 2010-05-08): what the permission check and preflight ask. */
export const IAM_SERVICE: QueryService = {
  protocol: 'query',
  name: 'iam',
  version: '2010-05-08',
  signingName: 'iam',
  has: (action) => Object.hasOwn(ACTIONS, action),
  handle: (core, action, tree, caller, requestId) =>
    awsQueryDocument(IAM_NAMESPACE, action, requestId, ACTIONS[action]!(core, tree, caller)),
  errorDocument: (error, requestId) =>
    awsQueryErrorDocument(
      IAM_NAMESPACE,
      error.status >= 500 ? 'Receiver' : 'Sender',
      error.code,
      error.message,
      requestId,
    ),
};
