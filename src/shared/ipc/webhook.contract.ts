import { z } from 'zod';
import { BakeIdSchema } from '../bake';
import { ProjectNameSchema } from '../project';
import { NoInput } from './common';

/** What happened to one request to a project's hook, as the deliveries log keeps it. Never a secret. */
export const DELIVERY_OUTCOMES = [
  'baked', // a bake was started (bakeId)
  'ignored', // authenticated, but nothing to bake: another branch, a tag, an event other than push
  'ping', // GitHub's hello when a hook is created
  'duplicate', // the same signed request (or the same commit) was served before: the bake it got
  'unauthorized', // 401 — older logs only: refusals are counted now, not logged
  'rate-limited', // 429
  'too-large', // 413 — older logs only, as above
  'bad-request', // 400 or 415: not JSON, not a GitHub payload
  'failed', // the bake could not start (no profile, credentials…)
  'joined', // a bake was already queued behind the running one: this request joined it (bakeId)
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
  /** Serving HTTPS with the certificate in Settings. */
  tls: z.boolean(),
  /** Where the world reaches the listener (Settings' public URL, else `url`): hook URLs use it. */
  publicUrl: z.string().optional(),
  /** True when bound to more than the loopback interface: other machines can reach it. */
  exposed: z.boolean(),
  /** Why the listener is not running, when state is error. */
  error: z.string().optional(),
  /** How secrets are sealed at rest in this process: `safe-storage`, `key-file` or `env-key`. */
  secretBox: z.string(),
});
export type WebhookStatus = z.infer<typeof WebhookStatusSchema>;

export const WebhookSecretKindSchema = z.enum(['token', 'github']);
export type WebhookSecretKind = z.infer<typeof WebhookSecretKindSchema>;

export const TriggerInfoSchema = z.object({
  project: ProjectNameSchema,
  /** The hook URL: under Settings' public URL when set, else the listener's address on this computer. */
  url: z.string(),
  /** The bearer token for scripts; only its hash is kept, so it is never shown again. */
  token: z.object({ set: z.boolean(), createdAt: z.number().optional() }),
  /** The secret GitHub signs deliveries with; kept sealed, never shown again. */
  githubSecret: z.object({
    set: z.boolean(),
    /** False when another process's box (the app's keychain, a server's key) sealed it: signatures fail here. */
    usable: z.boolean(),
    createdAt: z.number().optional(),
    /** Why it cannot be used here, and what to do about it. */
    problem: z.string().optional(),
  }),
  /** An earlier version's single secret became the GitHub secret: scripts need a new token. */
  legacyTokenRetired: z.boolean(),
  /** Requests refused before authentication, counted (not logged one by one). */
  refused: z.object({ count: z.number().int(), firstAt: z.number(), lastAt: z.number() }).optional(),
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
  /**
   * Generates a new token or GitHub secret (the old one of that kind stops working at once; the other kind
   * is untouched). The only time a secret crosses to the renderer.
   */
  'webhook:rotate': {
    request: z.object({ project: ProjectNameSchema, secret: WebhookSecretKindSchema }),
    response: z.object({ secret: z.string() }),
  },
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
