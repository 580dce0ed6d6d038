import { gunzipSync } from 'node:zlib';
import { decodeReferences, type WireReference } from './env-references';

export { beginMarker, doneMarker, parseMarker, type MarkerLine } from './markers';

/**
 * The contract between the bake engine, which wraps the user's init script, and anything that has to read
 * such user data back: the Sandbox (whose simulated boot reads it instead of running it; its VM mode boots
 * it for real) and the tests. The markers the wrapper prints are in ./markers.ts.
 *
 * A wrapped script is a POSIX shell script whose first lines are:
 *
 *   #!/bin/sh
 *   # quadraxis-wrapper: 3
 *   # quadraxis-bake: <bake id>
 *   # quadraxis-nonce: <hex nonce>
 *   # quadraxis-mode: script | cloud-init
 *
 * In `script` mode the environment is embedded as base64 in a single-quoted assignment `QX_ENV_B64='…'`
 * (the payload is `NAME=base64(value)` lines) and the user's script:
 *   - version 3: verbatim, in a quoted here-document `qx_unpack <<'QX_SCRIPT_<hex>'` … `QX_SCRIPT_<hex>`
 *     whose delimiter is derived from the script's own hash (so no line of it can end the document); a
 *     newline is added when the script does not end with one, and `QX_SCRIPT_EOL=0` says so;
 *   - versions 1 and 2: as base64 in `QX_SCRIPT_B64='…'`.
 * In `cloud-init` mode the user's `#cloud-config` travels beside the wrapper in a MIME multipart document
 * (wrapper first) and the wrapper waits for cloud-init to finish it.
 *
 * Everything that differs from one bake to the next (bake id, nonce) is in the first lines, up to and
 * including `QX_NONCE='…'`. When the whole user data is over EC2's 16 KB it is sent gzip-compressed as two
 * gzip members, that head stored uncompressed and the rest compressed, so the compressed size depends on
 * the script alone and the editor can measure it exactly (cloud-init, like gunzip, reads every member).
 *
 * What the wrapper does on the builder:
 *   - version 3: runs the script with the image's own umask, stdin from /dev/null and its output through a
 *     pipe (never a terminal) to the serial port and every console in /proc/consoles; prints `done` at
 *     once; on success waits for cloud-init to finish, removes the user data, its environment and itself
 *     from the disk whatever cloudInitClean says, prints `cleaned` and powers off; on failure powers off at
 *     once. While the script runs, a per-boot hook reports a reboot (`rebooted`) and powers off.
 *   - version 2: powers the machine off after the done marker whatever the exit code;
 *   - version 1: only after exit 0; a failed script left the machine running.
 * Readers accept every version (a builder launched by an older Quadraxis may still be resumed or simulated).
 */
export const WRAPPER_VERSION = 3;

/** From this version on, the wrapper powers the machine off after a failed script too. */
export const POWEROFF_ON_FAILURE_SINCE = 2;

/**
 * From this version on: the script is carried verbatim, `done` carries a warning count, success is
 * followed by `cleaned` (required before imaging), a reboot is reported by the next boot.
 */
export const CLEANED_MARKER_SINCE = 3;

export type WrapperMode = 'script' | 'cloud-init';

export interface WrapperInfo {
  version: number;
  bakeId: string;
  nonce: string;
  mode: WrapperMode;
  /** The user's own script, as they wrote it (script mode). */
  userScript?: string;
  env: Record<string, string>;
  /** Variables the builder resolves itself (names only; ./env-references.ts). */
  refs: WireReference[];
}

export interface UserDataInfo {
  gzipped: boolean;
  /** The decoded text (after gunzip). */
  text: string;
  /** What the user's part is: a shell-style script, a #cloud-config, or something else. */
  kind: 'script' | 'cloud-config' | 'multipart' | 'empty' | 'other';
  wrapper: WrapperInfo | null;
  /** The #cloud-config part, when there is one. */
  cloudConfig?: string;
}

/** `version`: the protocol version to claim (the current one unless a test plays an older wrapper). */
export function wrapperHeader(info: {
  bakeId: string;
  nonce: string;
  mode: WrapperMode;
  version?: number;
}): string {
  return [
    '#!/bin/sh',
    `# quadraxis-wrapper: ${info.version ?? WRAPPER_VERSION}`,
    `# quadraxis-bake: ${info.bakeId}`,
    `# quadraxis-nonce: ${info.nonce}`,
    `# quadraxis-mode: ${info.mode}`,
  ].join('\n');
}

export function encodeEnv(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `${name}=${Buffer.from(value, 'utf8').toString('base64')}`)
    .join('\n');
}

function decodeEnv(payload: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of payload.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    env[line.slice(0, eq)] = Buffer.from(line.slice(eq + 1), 'base64').toString('utf8');
  }
  return env;
}

function headerValue(text: string, key: string): string | undefined {
  const match = new RegExp(`^# ${key}: (\\S+)\\s*$`, 'm').exec(text.slice(0, 1024));
  return match?.[1];
}

function b64Assignment(text: string, name: string): string | undefined {
  const match = new RegExp(`^${name}='([A-Za-z0-9+/=\\s]*)'`, 'm').exec(text);
  return match ? Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64').toString('utf8') : undefined;
}

/** The delimiter of the here-document that carries the script verbatim: from the script's own hash. */
export function scriptDelimiter(scriptSha256Hex: string): string {
  return `QX_SCRIPT_${scriptSha256Hex.slice(0, 32)}`;
}

/** The script of a version 3 wrapper: the here-document's body, less the newline the wrapper added. */
function verbatimScript(text: string): string | undefined {
  const opener = /^qx_unpack <<'(QX_SCRIPT_[0-9a-f]+)'\n/m.exec(text);
  if (!opener) return undefined;
  const start = opener.index + opener[0].length;
  const end = `${opener[1]!}\n`;
  let at = text.indexOf(end, start);
  while (at > start && text[at - 1] !== '\n') at = text.indexOf(end, at + 1);
  if (at < 0) return undefined;
  const body = text.slice(start, at);
  return /^QX_SCRIPT_EOL=0$/m.test(text.slice(0, opener.index)) ? body.replace(/\n$/, '') : body;
}

export function parseWrapper(text: string): WrapperInfo | null {
  if (!text.startsWith('#!')) return null;
  const version = headerValue(text, 'quadraxis-wrapper');
  const bakeId = headerValue(text, 'quadraxis-bake');
  const nonce = headerValue(text, 'quadraxis-nonce');
  const mode = headerValue(text, 'quadraxis-mode');
  if (!version || !bakeId || !nonce || (mode !== 'script' && mode !== 'cloud-init')) return null;
  const userScript = verbatimScript(text) ?? b64Assignment(text, 'QX_SCRIPT_B64');
  const envPayload = b64Assignment(text, 'QX_ENV_B64');
  const refsPayload = b64Assignment(text, 'QX_REFS_B64');
  return {
    version: Number(version),
    bakeId,
    nonce,
    mode,
    ...(userScript !== undefined ? { userScript } : {}),
    env: envPayload ? decodeEnv(envPayload) : {},
    refs: refsPayload ? decodeReferences(refsPayload) : [],
  };
}

/** Splits a MIME multipart/mixed document (as cloud-init reads it) into its parts' content types and bodies. */
export function splitMultipart(text: string): { contentType: string; body: string }[] | null {
  const boundary = /^Content-Type:\s*multipart\/mixed;\s*boundary="?([^"\r\n;]+)"?/im.exec(text)?.[1];
  if (!boundary) return null;
  const parts: { contentType: string; body: string }[] = [];
  for (const chunk of text.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    const normalized = chunk.replace(/\r\n/g, '\n').replace(/^\n/, '');
    const split = normalized.indexOf('\n\n');
    if (split < 0) continue;
    const headers = normalized.slice(0, split);
    const contentType = /^Content-Type:\s*([^;\n]+)/im.exec(headers)?.[1]?.trim() ?? 'text/plain';
    parts.push({ contentType, body: normalized.slice(split + 2).replace(/\n$/, '') });
  }
  return parts;
}

/** Reads user data as EC2 hands it back (the decoded bytes of the base64 attribute). */
export function inspectUserData(bytes: Uint8Array): UserDataInfo {
  const gzipped = bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  const text = Buffer.from(gzipped ? gunzipSync(bytes) : bytes).toString('utf8');
  if (text.trim() === '') return { gzipped, text, kind: 'empty', wrapper: null };
  const parts = splitMultipart(text);
  if (parts) {
    let wrapper: WrapperInfo | null = null;
    let cloudConfig: string | undefined;
    for (const part of parts) {
      if (part.contentType === 'text/cloud-config') cloudConfig = part.body;
      else wrapper ??= parseWrapper(part.body);
    }
    return {
      gzipped,
      text,
      kind: 'multipart',
      wrapper,
      ...(cloudConfig !== undefined ? { cloudConfig } : {}),
    };
  }
  if (text.startsWith('#cloud-config'))
    return { gzipped, text, kind: 'cloud-config', wrapper: null, cloudConfig: text };
  if (text.startsWith('#!')) return { gzipped, text, kind: 'script', wrapper: parseWrapper(text) };
  return { gzipped, text, kind: 'other', wrapper: null };
}
