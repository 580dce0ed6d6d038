import { z } from 'zod';
import { RegionSchema } from '../../../shared/project';

export const SealedBySchema = z.object({
  box: z.string(),
  keyId: z.string().optional(),
  description: z.string(),
});
export type SealedBy = z.infer<typeof SealedBySchema>;

const SealedSecretSchema = z.object({
  sealedBy: SealedBySchema,
  sealed: z.string().min(1),
  createdAt: z.number(),
});
export type SealedSecret = z.infer<typeof SealedSecretSchema>;

const TokenHashSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.number(),
});

const Shared = {
  project: z.string(),
  /** The AWS profile this project's webhook bakes use; absent: the app's selected one, or serve's --profile. */
  profile: z.string().min(1).max(128).optional(),
  region: RegionSchema.optional(),
};

/** Before two secrets: one secret, both the HMAC key and the bearer token. */
const TriggerFileV1Schema = z.object({
  schemaVersion: z.literal(1),
  ...Shared,
  secret: SealedSecretSchema.optional(),
});

export const TriggerFileSchema = z.object({
  schemaVersion: z.literal(2),
  ...Shared,
  /** GitHub's HMAC key, sealed: verifying a signature needs the key itself. */
  githubSecret: SealedSecretSchema.optional(),
  /** The bearer token's SHA-256: all a token check needs. */
  token: TokenHashSchema.optional(),
  /**
   * Set when a version 1 secret became the GitHub secret: scripts that sent it as a bearer token are
   * refused from then on and need the project's new token. Cleared when a token is generated.
   */
  legacyTokenRetired: z.literal(true).optional(),
});
export type TriggerFile = z.infer<typeof TriggerFileSchema>;

/**
 * Reads either version. A version 1 file's secret becomes the GitHub secret, so GitHub keeps delivering
 * without anyone touching the repository's settings; it no longer works as a bearer token (that was the
 * flaw: whoever read a token in a CI log could forge signatures), and no token exists until one is
 * generated. The file on disk is rewritten in the new form on the next change.
 */
export const AnyTriggerFileSchema = z
  .union([TriggerFileSchema, TriggerFileV1Schema])
  .transform((file): TriggerFile => {
    if (file.schemaVersion === 2) return file;
    const { schemaVersion: _v, secret, ...rest } = file;
    return {
      schemaVersion: 2,
      ...rest,
      ...(secret ? { githubSecret: secret, legacyTokenRetired: true as const } : {}),
    };
  });
