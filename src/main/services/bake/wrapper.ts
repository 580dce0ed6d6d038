import { createHash } from 'node:crypto';
import { encodeEnv, scriptDelimiter, wrapperHeader } from '../../../protocol/user-data';
import { encodeReferences, type WireReference } from '../../../protocol/env-references';
import { CLOUD_INIT_MODE, PRELUDE, SCRIPT_MODE } from './wrapper-shell';
import { SECRETS_MODE } from './wrapper-secrets';

/**
 * The shell wrapper that runs on the builder as cloud-init user data (protocol version 3, described in
 * src/protocol/user-data.ts; its shell is in wrapper-shell.ts). It is what lets the engine wait for the
 * init script to have *really* finished instead of guessing: it prints markers with a per-bake nonce on
 * the serial console — begin, done with the exit code, and after a success `cleaned` once the user data is
 * gone from the disk — and then powers the machine off, whatever the outcome. The instance stopping by
 * itself is the one thing the engine waits for (batched DescribeInstances, no console polling), and a
 * console read afterwards says how it ended.
 */
export interface WrapperOptions {
  bakeId: string;
  nonce: string;
  /** Run `cloud-init clean --logs` before powering off, when cloud-init is installed. */
  cloudInitClean: boolean;
}

export interface ScriptWrapperOptions extends WrapperOptions {
  script: string;
  env: Record<string, string>;
  /** Variables the builder resolves itself (names only): the resolver travels only when there are some. */
  refs?: readonly WireReference[];
  /**
   * Sandbox targets only: the endpoint the resolver sends SSM and Secrets Manager calls to
   * (src/protocol/sandbox-endpoint.ts). In the head, with the other per-bake lines; absent on AWS.
   */
  awsEndpoint?: string;
}

/**
 * A wrapper in two pieces: `head` holds everything that changes from one bake to the next (bake id and
 * nonce), `body` depends only on the project. Sent gzipped, the head is stored and the body compressed,
 * so the size EC2 receives is known before the bake has a nonce (the editor's meter).
 */
export interface WrapperText {
  head: string;
  body: string;
}

function head(options: WrapperOptions, mode: 'script' | 'cloud-init'): string {
  const header = wrapperHeader({ bakeId: options.bakeId, nonce: options.nonce, mode });
  return `${header}\nQX_NONCE='${options.nonce}'\n`;
}

function base64Lines(text: string): string {
  const b64 = Buffer.from(text, 'utf8').toString('base64');
  return (b64.match(/.{1,76}/g) ?? []).join('\n');
}

/**
 * Script mode: the user's script (any shebang) travels verbatim in a quoted here-document — base64 made
 * it a third bigger and, worse, gzip compresses base64 badly — and its environment as base64, decoded on
 * the builder in one place (qx_env); references to secrets are resolved on the builder (wrapper-secrets.ts).
 */
export function buildScriptWrapper(options: ScriptWrapperOptions): WrapperText {
  const script = options.script;
  const refs = options.refs && options.refs.length > 0 ? options.refs : undefined;
  const endsWithNewline = script.endsWith('\n');
  const delimiter = scriptDelimiter(createHash('sha256').update(script, 'utf8').digest('hex'));
  const body = `# Runs the init script below, reports its exit code on the serial console, removes itself and powers off.
QX_CLEAN_CLOUD_INIT=${options.cloudInitClean ? 1 : 0}
QX_SCRIPT_EOL=${endsWithNewline ? 1 : 0}
QX_ENV_B64='${base64Lines(encodeEnv(options.env))}'
${refs ? `QX_REFS_B64='${base64Lines(encodeReferences(refs))}'\n` : ''}${PRELUDE}${SCRIPT_MODE}${refs ? SECRETS_MODE : ''}qx_unpack <<'${delimiter}'
${script}${endsWithNewline ? '' : '\n'}${delimiter}
qx_main $?
`;
  const endpoint =
    refs && options.awsEndpoint ? `QX_AWS_ENDPOINT='${options.awsEndpoint.replace(/'/g, '')}'\n` : '';
  return { head: head(options, 'script') + endpoint, body };
}

/**
 * Cloud-init mode: the user's #cloud-config travels beside this wrapper in a MIME multipart document; the
 * wrapper waits for cloud-init to finish all of it and reports cloud-init's verdict and its warnings.
 */
export function buildCloudInitWrapper(options: WrapperOptions): WrapperText {
  const body = `# Waits for cloud-init to finish the #cloud-config beside it, reports the outcome, removes the user data and powers off.
QX_CLEAN_CLOUD_INIT=${options.cloudInitClean ? 1 : 0}
${PRELUDE}${CLOUD_INIT_MODE}`;
  return { head: head(options, 'cloud-init'), body };
}

export function wrapperText(wrapper: WrapperText): string {
  return wrapper.head + wrapper.body;
}
