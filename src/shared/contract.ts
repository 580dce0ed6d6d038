import type { z } from 'zod';
import { appEvents, appInvoke } from './ipc/app.contract';
import { awsEvents, awsInvoke } from './ipc/aws.contract';
import { draftsInvoke } from './ipc/drafts.contract';
import { projectsEvents, projectsInvoke } from './ipc/projects.contract';
import { versionsInvoke } from './ipc/versions.contract';
import { bakeEvents, bakeInvoke } from './ipc/bake.contract';
import { sweepInvoke } from './ipc/sweep.contract';
import { webhookEvents, webhookInvoke } from './ipc/webhook.contract';
import { deployEvents, deployInvoke } from './ipc/deploy.contract';
import { sandboxInvoke } from './ipc/sandbox.contract';
import { lifecycleEvents, lifecycleInvoke } from './ipc/lifecycle.contract';

/**
 * The one IPC contract between the renderer and main, in the spirit of GitHub Desktop's
 * RequestResponseChannels: every invoke channel has a request and a response schema, every event channel a
 * payload schema. Names are namespaced `area:verb`; each area keeps its schemas in src/shared/ipc/<area>.contract.ts
 * and its names in <area>.channels.ts (the sandboxed preload imports only names, never zod).
 * Main registers one handler per invoke channel, parses the request, and parses its own response too, so
 * nothing outside the schema (a credential, say) can slip to the renderer.
 */
export const invokeContract = {
  ...appInvoke,
  ...projectsInvoke,
  ...draftsInvoke,
  ...versionsInvoke,
  ...awsInvoke,
  ...bakeInvoke,
  ...sweepInvoke,
  ...webhookInvoke,
  ...deployInvoke,
  ...sandboxInvoke,
  ...lifecycleInvoke,
} as const;

export const eventContract = {
  ...appEvents,
  ...projectsEvents,
  ...awsEvents,
  ...bakeEvents,
  ...webhookEvents,
  ...deployEvents,
  ...lifecycleEvents,
} as const;

export type { AppInfo } from './ipc/app.contract';
export type InvokeContract = typeof invokeContract;
export type EventContract = typeof eventContract;
export type InvokeChannel = keyof InvokeContract;
export type EventChannel = keyof EventContract;
export type InvokeRequest<C extends InvokeChannel> = z.input<InvokeContract[C]['request']>;
export type InvokeResponse<C extends InvokeChannel> = z.infer<InvokeContract[C]['response']>;
/** What a handler receives: the request after parsing (defaults applied). */
export type ParsedRequest<C extends InvokeChannel> = z.infer<InvokeContract[C]['request']>;
export type EventPayload<C extends EventChannel> = z.infer<EventContract[C]>;
