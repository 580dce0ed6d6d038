/**
 * Tags Quadraxis puts on everything it creates. `quadraxis:role=builder` is what the least-privilege policy
 * conditions stop/terminate on and what `quadraxis sweep` looks for, so these names are an API: do not rename.
 */
export const TAG_BAKE_ID = 'quadraxis:bake-id';
export const TAG_PROJECT = 'quadraxis:project';
export const TAG_ROLE = 'quadraxis:role';
export const ROLE_BUILDER = 'builder';
export const TAG_BASE_AMI = 'quadraxis:base-ami';
export const TAG_SCRIPT_SHA256 = 'quadraxis:script-sha256';
export const TAG_APP_VERSION = 'quadraxis:app-version';
/** Set by the sandbox on everything it creates, so a simulated AMI is never mistaken for a real one. */
export const TAG_SIMULATED = 'quadraxis:simulated';
/**
 * The project's named environment a bake was for (issue 18), on the builder, its volumes, the image, its
 * snapshots and its copies; absent when the bake used the project's own values. Retention groups by it.
 */
export const TAG_ENVIRONMENT = 'quadraxis:environment';
