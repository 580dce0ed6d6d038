import type { BakeStep } from '../../../../shared/bake';
import { AppError } from '../../../../shared/result';
import type { BakeRun } from '../bake-run';
import { delivers } from '../../delivery/plan';
import { tagSpecifications } from './create-image';
import { delivery, deliveredImages } from './deliver';

/**
 * Stores the Version. The store allocates its number under a cross-process lock and is idempotent per bake
 * id, so a bake resumed after a crash gets its version back instead of a second one.
 */
export async function recordVersion(run: BakeRun): Promise<string> {
  const { imageId, imageName, base } = run.state;
  const sha = run.record.scriptSha256;
  if (!imageId || !imageName || !base || !sha)
    throw new AppError('INTERNAL', 'record ran before the image was made.');
  const now = run.clock.now();
  const stepDurationsMs: Partial<Record<BakeStep, number>> = {};
  for (const s of run.record.steps) {
    if (s.status === 'done' && s.startedAt !== undefined && s.endedAt !== undefined)
      stepDurationsMs[s.step] = s.endedAt - s.startedAt;
  }
  const tags = Object.fromEntries(
    (tagSpecifications(run, imageName, base.imageId)[0]?.Tags ?? []).flatMap((t) =>
      t.Key && t.Value !== undefined ? [[t.Key, t.Value]] : [],
    ),
  );
  const version = await run.env.store.versions.record({
    project: run.project.name,
    bakeId: run.id,
    createdAt: now,
    profile: run.record.profile,
    region: run.record.region,
    simulated: run.record.simulated,
    imageId,
    imageName,
    snapshotIds: run.state.snapshotIds,
    baseImageId: base.imageId,
    instanceType: run.project.instanceType,
    initScript: run.project.initScript,
    scriptSha256: sha,
    env: run.project.env,
    ...(run.record.environment ? { environment: run.record.environment } : {}),
    stepDurationsMs,
    apiCalls: run.apiCalls,
    durationMs: now - (run.record.startedAt ?? run.record.createdAt),
    appVersion: run.env.appVersion,
    tags,
    ...deliveryRecord(run),
  });
  run.state.version = version.version;
  return `version ${version.version}: ${imageId}`;
}

/** Every region's image, as delivered: what retention, deploys and people look up by version. */
function deliveryRecord(run: BakeRun) {
  const { plan, keys } = delivery(run);
  if (!delivers(plan)) return {};
  // From the journal, so a bake resumed after a crash records the same.
  const missing = (run.record.copies ?? [])
    .filter((c) => c.state === 'failed' || c.state === 'removed')
    .map((c) => ({ region: c.region, reason: c.message ?? `the copy was ${c.state}` }));
  const images = deliveredImages(run).map((image) => {
    const kmsKeyId = keys?.[image.region]?.arn;
    return { ...image, encrypted: plan.encrypt, ...(kmsKeyId ? { kmsKeyId } : {}) };
  });
  return {
    images,
    ...(plan.parameter ? { ssmParameter: plan.parameter } : {}),
    ...(missing.length > 0 ? { missingRegions: missing } : {}),
  };
}
