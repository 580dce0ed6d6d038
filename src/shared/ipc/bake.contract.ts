import { z } from 'zod';
import { BakeEventSchema, BakeIdSchema, BakeRecordSchema, BakeStatusSchema, VersionSchema } from '../bake';
import { EnvironmentNameSchema, ProjectNameSchema, RegionSchema } from '../project';

/** How many console lines `bake:get` hands over for a resync; older ones come from `bake:console`. */
export const CONSOLE_TAIL_LINES = 5_000;
/** The most lines one `bake:console` page returns. */
export const CONSOLE_PAGE_MAX = 20_000;

export const BakeStartRequestSchema = z.object({
  project: ProjectNameSchema,
  /** Omitted: the profile chosen in settings. */
  profile: z.string().min(1).max(256).optional(),
  /** Omitted: the project's own region, else the one in settings, else the profile's. */
  region: RegionSchema.optional(),
  /** Bake even though an identical bake already produced an image that still exists. */
  force: z.boolean().optional(),
  /** One of the project's named environments (its values and launch settings); omitted: the project's own. */
  environment: EnvironmentNameSchema.optional(),
});
export type BakeStartRequest = z.infer<typeof BakeStartRequestSchema>;

/** What a finished bake recorded, for the result card (the record itself does not carry the tags). */
export const BakeVersionSummarySchema = VersionSchema.pick({
  version: true,
  imageName: true,
  tags: true,
  instanceType: true,
  baseImageId: true,
  durationMs: true,
});
export type BakeVersionSummary = z.infer<typeof BakeVersionSummarySchema>;

export const BakeDetailsSchema = z.object({
  record: BakeRecordSchema,
  /** The console up to exactly `record.seq`: live events with a higher seq continue it without a gap. */
  consoleTail: z.array(z.string()),
  /** Lines in the whole console up to `record.seq`; more than the tail means older lines are in `bake:console`. */
  consoleLines: z.number().int().nonnegative(),
  version: BakeVersionSummarySchema.optional(),
});
export type BakeDetails = z.infer<typeof BakeDetailsSchema>;

export const BakeListRequestSchema = z.object({
  project: ProjectNameSchema.optional(),
  status: BakeStatusSchema.optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});

export const BakeConsoleRequestSchema = z.object({
  id: BakeIdSchema,
  fromLine: z.number().int().nonnegative().default(0),
  limit: z.number().int().min(1).max(CONSOLE_PAGE_MAX),
});

export const BakeConsolePageSchema = z.object({
  lines: z.array(z.string()),
  /** Lines in the saved log now; page on while `fromLine + lines.length < total`. */
  total: z.number().int().nonnegative(),
});

/**
 * A window streams a running bake's console by calling `bake:watch` while it shows it: each call holds the
 * watch for CONSOLE_WATCH_LEASE_MS, and the page renews it every CONSOLE_WATCH_RENEW_MS, so a window that
 * crashes or reloads stops costing GetConsoleOutput calls by itself. `watching: false` lets go at once.
 */
export const CONSOLE_WATCH_LEASE_MS = 45_000;
export const CONSOLE_WATCH_RENEW_MS = 15_000;

export const BakeWatchRequestSchema = z.object({
  id: BakeIdSchema,
  watching: z.boolean().default(true),
});

export const BakeProfileChoiceSchema = z.object({
  name: z.string(),
  label: z.string(),
  usable: z.boolean(),
  region: z.string().optional(),
  problems: z.array(z.string()),
});
export type BakeProfileChoice = z.infer<typeof BakeProfileChoiceSchema>;

/** What "Bake AMI" would use without asking, and the choices when something is missing. */
export const BakeDefaultsSchema = z.object({
  /** The profile from settings, when it still exists. */
  profile: z.string().optional(),
  /** The region a bake would use: the project's own, the one in settings, or the chosen profile's. */
  region: z.string().optional(),
  /** The project pins its region: it is not asked for. */
  projectRegion: z.string().optional(),
  /** The profile the AWS CLI would use, to preselect when settings name none. */
  suggestedProfile: z.string().optional(),
  profiles: z.array(BakeProfileChoiceSchema),
  /** Every project, for choosing one when the dialog was opened without. */
  projects: z.array(ProjectNameSchema),
  /** Each project's instance type, so the dialog can warn about a Xen type before the bake starts. */
  instanceTypes: z.record(z.string(), z.string()).optional(),
  /** Each project's named environments (with what each overrides), for the dialog's environment choice. */
  environments: z
    .record(
      z.string(),
      z.array(
        z.object({
          name: EnvironmentNameSchema,
          description: z.string().optional(),
          region: z.string().optional(),
          instanceType: z.string().optional(),
        }),
      ),
    )
    .optional(),
});
export type BakeDefaults = z.infer<typeof BakeDefaultsSchema>;

export const bakeInvoke = {
  /**
   * Starts a bake and answers once its preflight has passed (or after a while), so problems a person can
   * fix at once — bad input, a script too big, an identical image (CONFLICT, details.reason "identical") —
   * come back as this call's error rather than as a failed bake to go and read.
   */
  'bake:start': { request: BakeStartRequestSchema, response: BakeRecordSchema },
  'bake:cancel': { request: BakeIdSchema, response: z.null() },
  'bake:get': { request: BakeIdSchema, response: BakeDetailsSchema },
  /** Newest first, unfinished bakes before finished ones. */
  'bake:list': { request: BakeListRequestSchema, response: z.array(BakeRecordSchema) },
  'bake:console': { request: BakeConsoleRequestSchema, response: BakeConsolePageSchema },
  /** Streams (or stops streaming) the builder's console for this window; a no-op for a finished bake. */
  'bake:watch': { request: BakeWatchRequestSchema, response: z.null() },
  'bake:get-defaults': {
    request: z.object({ project: ProjectNameSchema.optional() }),
    response: BakeDefaultsSchema,
  },
} as const;

export const bakeEvents = {
  /** Every event of every bake this process runs, in seq order per bake. */
  'bake:event': BakeEventSchema,
  /**
   * A bake another process runs (`quadraxis bake`, `quadraxis serve`) moved on: its record as of now, sent
   * when its seq changed. That process's console lines are not in it; an open bake page reads them with
   * `bake:console`.
   */
  'bake:changed': z.object({ record: BakeRecordSchema }),
} as const;
