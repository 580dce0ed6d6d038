/**
 * How long simulated things take. The defaults feel real in the app (seconds, not minutes); tests pass a
 * VirtualClock and/or shorter timings. Each launch can be overridden with a timeline (see Simulator).
 */
export interface SandboxTimings {
  /** Launch (or start) → running. */
  pendingMs: number;
  /** Running → cloud-init has finished booting and the user data starts. */
  bootMs: number;
  /** How long a script's ordinary commands take together, when the script does not say (no `sleep`). */
  scriptDefaultMs: number;
  /** Done marker → the wrapper's poweroff reaches EC2 (stopping). */
  shutdownDelayMs: number;
  stoppingMs: number;
  shuttingDownMs: number;
  /** CreateImage → available (or failed). */
  imagePendingMs: number;
  /** How long a terminated instance stays visible to Describe calls (about an hour on EC2). */
  terminatedVisibleMs: number;
  /** CopyImage → the copy is available (a cross-region copy of a small image takes minutes on EC2). */
  copyImageMs: number;
  /** PutParameter with the `aws:ec2:image` data type → the asynchronous validation is over. */
  ssmImageValidationMs: number;
  /**
   * Auto Scaling's health-check interval: a group's instance is first checked this long after it is in
   * service (or after its grace period, when that is longer), and a stopped one is noticed this long after.
   */
  healthCheckMs: number;
  /** StartInstanceRefresh → the refresh leaves Pending and starts replacing. */
  instanceRefreshStartMs: number;
}

export const DEFAULT_TIMINGS: SandboxTimings = {
  pendingMs: 4_000,
  bootMs: 6_000,
  scriptDefaultMs: 8_000,
  shutdownDelayMs: 1_000,
  stoppingMs: 5_000,
  shuttingDownMs: 4_000,
  imagePendingMs: 12_000,
  terminatedVisibleMs: 60 * 60_000,
  copyImageMs: 20_000,
  ssmImageValidationMs: 1_500,
  healthCheckMs: 5_000,
  instanceRefreshStartMs: 2_000,
};
