import type { TriggerInfo } from '../../../shared/ipc/webhook.contract';
import { AppError, isAppError } from '../../../shared/result';
import { hookUrl, type TriggerConfig } from '../../services/webhook';
import type { AppContext } from '../app-context';
import type { Handlers } from '../dispatch';
import { webhookController } from '../webhook-controller';

type WebhookHandlers = Pick<
  Handlers,
  'webhook:status' | 'webhook:triggers' | 'webhook:rotate' | 'webhook:deliveries' | 'webhook:set-profile'
>;

/** Starts the app's listener as Settings say and forwards its status and deliveries to the renderers. */
export function wireWebhook(ctx: AppContext): () => void {
  const controller = webhookController(ctx);
  const offs = [
    controller.onStatus((status) => ctx.hub.emit('webhook:status-changed', status)),
    controller.onDelivery((project, delivery) => ctx.hub.emit('webhook:delivery', { project, delivery })),
    controller.start(),
  ];
  return () => offs.forEach((off) => off());
}

export function webhookHandlers(ctx: AppContext): WebhookHandlers {
  const controller = webhookController(ctx);
  const { triggers, deliveries } = controller.state;

  const requireProject = async (name: string) => {
    const entry = await ctx.runtime.store.projects.get(name);
    if (!entry) throw new AppError('NOT_FOUND', `There is no project named ${name}.`);
    return entry.project;
  };

  const info = async (name: string): Promise<TriggerInfo> => {
    const project = await requireProject(name);
    const config: TriggerConfig = await triggers.config(name).catch((error: unknown) => {
      if (isAppError(error) && error.code === 'CORRUPT_DATA') {
        return {
          project: name,
          configured: true,
          token: { set: false },
          githubSecret: { set: false, problem: error.message },
          legacyTokenRetired: false,
        };
      }
      throw error;
    });
    const profiles = await ctx.runtime.aws.profiles().then(
      (list) => list.profiles.map((p) => p.name),
      () => [],
    );
    const refused = await controller.state.refusals(name).catch(() => undefined);
    const effectiveProfile = config.profile ?? ctx.settings.get().profile;
    const github = config.githubSecret;
    return {
      project: name,
      url: hookUrl(controller.baseUrl(), name),
      token: {
        set: config.token.set,
        ...(config.token.createdAt ? { createdAt: config.token.createdAt } : {}),
      },
      githubSecret: {
        set: github.set,
        usable: github.set && !github.problem,
        ...(github.createdAt !== undefined ? { createdAt: github.createdAt } : {}),
        ...(github.problem ? { problem: github.problem } : {}),
      },
      legacyTokenRetired: config.legacyTokenRetired,
      ...(refused
        ? { refused: { count: refused.count, firstAt: refused.firstAt, lastAt: refused.lastAt } }
        : {}),
      ...(config.profile ? { profile: config.profile } : {}),
      ...(effectiveProfile ? { effectiveProfile } : {}),
      profiles,
      branches: project.triggers.branches,
      deliveries: await deliveries.list(name, 20),
    };
  };

  return {
    'webhook:status': () => controller.status(),
    'webhook:triggers': (project) => info(project),
    'webhook:rotate': async ({ project, secret }) => {
      await requireProject(project);
      return { secret: await triggers.rotate(project, secret) };
    },
    'webhook:deliveries': async (project) => {
      await requireProject(project);
      return deliveries.list(project, 50);
    },
    'webhook:set-profile': async ({ project, profile }) => {
      await requireProject(project);
      await triggers.setProfile(project, profile ?? undefined);
      return info(project);
    },
  };
}
