import { z } from 'zod';
import { BakeIdSchema } from '../bake';
import { ProjectNameSchema } from '../project';
import { NoInput } from './common';

/** What happened to one request to a project's hook, as the deliveries log keeps it. Never a secret. */
export const DELIVERY_OUTCOMES = [
  'baked', // a bake was started (bakeId)
  'ignored', // authenticated, but nothing to bake: another branch, a tag, an event other than push
  'ping', // GitHub's hello when a hook is created
  'duplicate', // this X-GitHub-Delivery was seen before
  'unauthorized', // 401: bad or missing signature or token
  'rate-limited', // 429
  'too-large', // 413
  'bad-request', // 400 or 415: not JSON, not a GitHub payload
  'failed', // the bake could not start (no profile, credentials…)
] as const;
export const DeliveryOutcomeSchema = z.enum(DELIVERY_OUTCOMES);
export type DeliveryOutcome = z.infer<typeof DeliveryOutcomeSchema>;

export const DeliverySchema = z.object({
  at: z.number(),
  /** X-GitHub-Event (`push`, `ping`…), or `trigger` for a bearer-token call without one. */
  event: z.string().max(64),
  /** X-GitHub-Delivery, when sent. */
  delivery: z.string().max(100).optional(),
  outcome: DeliveryOutcomeSchema,
  /** The HTTP status answered. */
  status: z.number().int(),
  bakeId: BakeIdSchema.optional(),
  /** In words: "branch feature/x is not configured", "no AWS profile chosen for webhook bakes". */
  detail: z.string().max(300).optional(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

export const WebhookStatusSchema = z.object({
  enabled: z.boolean(),
  state: z.enum(['off', 'starting', 'listening', 'error']),
  host: z.string(),
  port: z.number().int(),
  /** Where the listener answers, once listening. */
  url: z.string().optional(),
  /** True when bound to more than the loopback interface: other machines can reach it. */
  exposed: z.boolean(),
  /** Why the listener is not running, when state is error. */
  error: z.string().optional(),
  /** How secrets are sealed at rest in this process: `safe-storage`, `key-file` or `env-key`. */
  secretBox: z.string(),
});
export type WebhookStatus = z.infer<typeof WebhookStatusSchema>;

export const TriggerInfoSchema = z.object({
  project: ProjectNameSchema,
  /** The hook URL on this computer (loopback), for curl and git hooks. */
  url: z.string(),
  hasSecret: z.boolean(),
  /** False when the secret was sealed by another process's box (e.g. the app's keychain) and cannot be used here. */
  secretUsable: z.boolean(),
  /** Why the secret cannot be used, and what to do about it. */
  secretProblem: z.string().optional(),
  secretCreatedAt: z.number().optional(),
  /** The profile set for this project's webhook bakes, if any. */
  profile: z.string().optional(),
  /** The profile a bake would use now (the project's, else the app's selected one). */
  effectiveProfile: z.string().optional(),
  /** Profile names the person can pick from. */
  profiles: z.array(z.string()),
  /** Branches whose pushes bake; empty = the repository's default branch. */
  branches: z.array(z.string()),
  deliveries: z.array(DeliverySchema),
});
export type TriggerInfo = z.infer<typeof TriggerInfoSchema>;

export const webhookInvoke = {
  'webhook:status': { request: NoInput, response: WebhookStatusSchema },
  'webhook:triggers': { request: ProjectNameSchema, response: TriggerInfoSchema },
  /** Generates a new secret (the old one stops working at once). The only time the secret crosses to the renderer. */
  'webhook:rotate': { request: ProjectNameSchema, response: z.object({ secret: z.string() }) },
  'webhook:deliveries': { request: ProjectNameSchema, response: z.array(DeliverySchema) },
  'webhook:set-profile': {
    request: z.object({ project: ProjectNameSchema, profile: z.string().min(1).max(128).nullable() }),
    response: TriggerInfoSchema,
  },
} as const;

export const webhookEvents = {
  'webhook:status-changed': WebhookStatusSchema,
  'webhook:delivery': z.object({ project: ProjectNameSchema, delivery: DeliverySchema }),
} as const;
