import type { RegionCopy } from '../../../../shared/bake';
import { AppError } from '../../../../shared/result';
import { copyToRegions } from '../../delivery/copy';
import { deprecateOlder } from '../../delivery/deprecate';
import { deliveryPlan, delivers, type DeliveryPlan } from '../../delivery/plan';
import { checkKeys, checkNamesFree, checkParameter, type RegionKeys } from '../../delivery/preflight';
import { publishImages } from '../../delivery/publish';
import { shareImages, type RegionImage } from '../../delivery/share';
import type { BakeRun, DeliveryState } from '../bake-run';
import { imageDescription, tagSpecifications } from './create-image';

/**
 * The bake's delivery steps — copy, share, publish — around the shared delivery service, plus what delivery
 * checks in preflight. Everything the steps learn is journaled (copy and published events), so a resumed
 * bake carries on with the same copies and puts back the same parameter values.
 */
export function delivery(run: BakeRun): DeliveryState {
  run.state.delivery ??= {
    plan: deliveryPlan(run.project, run.connection.region, run.record.environment),
  };
  return run.state.delivery;
}

/** Before anything is launched: every region's key exists and may be used, the parameter can take an AMI. */
export async function deliveryPreflight(run: BakeRun): Promise<string | undefined> {
  const state = delivery(run);
  const { plan } = state;
  if (!delivers(plan)) return undefined;
  if (plan.encrypt && !run.state.base?.rootDeviceName)
    throw new AppError(
      'INVALID_INPUT',
      `distribution.encryption: the base image ${run.state.base?.imageId ?? ''} does not say which device is its root, so its volumes cannot be encrypted at launch.`,
    );
  state.keys = await checkKeys(plan, run.reach, run.signal);
  await checkParameter(plan, run.reach, run.signal);
  if (run.state.imageName) await checkNamesFree(plan, run.reach, run.state.imageName, run.signal);
  const parts = [
    plan.copies.length > 0 ? `copies to ${plan.copies.join(', ')}` : '',
    plan.encrypt ? `encrypted (${plan.regions.map((r) => `${r}: ${plan.keys[r] ?? ''}`).join(', ')})` : '',
    plan.parameter ? `publishes ${plan.parameter}` : '',
  ].filter(Boolean);
  return parts.join('; ');
}

/** The key the builder's volumes are encrypted with (its ARN), once preflight has checked it. */
export function launchKey(run: BakeRun): string | undefined {
  return delivery(run).keys?.[run.connection.region]?.arn;
}

async function keys(run: BakeRun): Promise<RegionKeys> {
  const state = delivery(run);
  // A resumed bake skipped preflight: ask KMS again (it is what CopyImage will use).
  state.keys ??= await checkKeys(state.plan, run.reach, run.signal);
  return state.keys;
}

export async function copyStep(run: BakeRun): Promise<string> {
  const { imageId, imageName, base } = run.state;
  if (!imageId || !imageName || !base) throw new AppError('INTERNAL', 'copy ran before the image was made.');
  const state = delivery(run);
  const waited = run.record.steps.find((s) => s.step === 'wait-image');
  const paceMs =
    waited?.startedAt !== undefined
      ? (waited.endedAt ?? run.clock.now()) - waited.startedAt
      : run.env.pollIntervalMs;
  const description = imageDescription(run, base.imageId);
  const result = await copyToRegions({
    bakeId: run.id,
    imageId,
    imageName,
    description,
    tags: tagSpecifications(run, imageName, base.imageId)[0]?.Tags ?? [],
    plan: state.plan,
    keys: await keys(run),
    reach: run.reach,
    tickMs: run.env.pollIntervalMs,
    paceMs,
    known: run.record.copies ?? [],
    signal: run.signal,
    report: (copy) => run.emit({ type: 'copy', ...copy }),
  });
  const made = result.available.map((c) => `${c.imageId ?? '?'} (${c.region})`).join(', ');
  const partial =
    result.failed.length > 0
      ? `; not copied to ${result.failed.map((f) => `${f.region} (${f.message})`).join(', ')} — partial distribution allowed`
      : '';
  return `${made || 'no copies'}${partial}`;
}

/** The home image and its available copies: what share and publish work on. */
export function deliveredImages(run: BakeRun): RegionImage[] {
  const { imageId } = run.state;
  if (!imageId) throw new AppError('INTERNAL', 'a delivery step ran before the image was made.');
  const copies = (run.record.copies ?? []).filter(
    (c): c is RegionCopy & { imageId: string } => c.state === 'available' && c.imageId !== undefined,
  );
  return [
    { region: run.connection.region, imageId, snapshotIds: [...run.state.snapshotIds] },
    ...copies.map((c) => ({ region: c.region, imageId: c.imageId, snapshotIds: c.snapshotIds })),
  ];
}

export async function shareStep(run: BakeRun): Promise<string> {
  return shareImages(delivery(run).plan, deliveredImages(run), run.reach, run.signal);
}

export async function publishStep(run: BakeRun): Promise<string> {
  const { plan } = delivery(run);
  if (!plan.parameter) throw new AppError('INTERNAL', 'publish ran without a parameter.');
  const images = deliveredImages(run);
  const published = await publishImages({
    plan: plan as DeliveryPlan & { parameter: string },
    images,
    reach: run.reach,
    description: `The newest image of ${run.project.name}, baked by Quadraxis (bake ${run.id}).`,
    tickMs: run.env.pollIntervalMs,
    known: run.record.published ?? [],
    signal: run.signal,
    report: (entry) => run.emit({ type: 'published', ...entry }),
  });
  if (!plan.deprecateOlder) return published;
  // Images made before the environment tag existed are placed by what their version recorded.
  const versions = await run.env.store.versions.list(run.project.name, { limit: 10_000 });
  const recorded = new Map(versions.map((v) => [v.bakeId, v.environment]));
  const deprecation = await deprecateOlder(
    { project: run.project.name, environment: run.record.environment, recorded },
    images,
    run.reach,
    run.signal,
  );
  const n = deprecation.deprecated.length;
  const note = n > 0 ? `; deprecated ${n} older image${n === 1 ? '' : 's'}` : '';
  const problems =
    deprecation.problems.length > 0 ? `; could not deprecate in ${deprecation.problems.join('; ')}` : '';
  return `${published}${note}${problems}`;
}
