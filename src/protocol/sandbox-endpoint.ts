/**
 * How a builder in the Sandbox's real-VM mode reaches the Sandbox's own AWS endpoint (SSM, Secrets
 * Manager): its guest network is restricted to a few forwarded addresses, and this is the one forwarded to
 * the Sandbox's port. A Sandbox-only mechanism: the engine tells the wrapper this endpoint (through the
 * standard AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL_SECRETS_MANAGER variables of the reference resolver)
 * only when the bake's target is the Sandbox; a bake on AWS uses AWS's regional endpoints.
 */
export const SANDBOX_AWS_GUEST_ADDRESS = '169.254.169.250';
export const SANDBOX_AWS_GUEST_PORT = 80;
export const SANDBOX_AWS_GUEST_ENDPOINT = `http://${SANDBOX_AWS_GUEST_ADDRESS}`;
