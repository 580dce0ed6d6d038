import { z } from 'zod';

/** What the app asks before offering "Run on a local VM": is QEMU here, and can this image be booted? */
export const VmCheckRequestSchema = z
  .object({
    image: z.string().min(1).max(4096).optional(),
    kernelArgs: z.string().min(1).max(2048).optional(),
  })
  .strict();

export const VmCheckSchema = z.object({
  qemu: z.object({
    available: z.boolean(),
    version: z.string().optional(),
    missing: z.array(z.string()),
  }),
  image: z
    .discriminatedUnion('ok', [
      z.object({ ok: z.literal(true), name: z.string(), boot: z.enum(['kernel', 'firmware']) }),
      z.object({ ok: z.literal(false), error: z.string() }),
    ])
    .optional(),
  /** The Sandbox running now (if any) and whether its VM mode is on, with the accelerator it chose. */
  running: z
    .object({ vm: z.boolean(), accel: z.enum(['kvm', 'tcg']).optional(), image: z.string().optional() })
    .optional(),
});
export type VmCheck = z.infer<typeof VmCheckSchema>;

export const sandboxInvoke = {
  'sandbox:vm-check': { request: VmCheckRequestSchema, response: VmCheckSchema },
} as const;
