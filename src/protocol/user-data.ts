import { gunzipSync } from 'node:zlib';

/**
 * The contract between the bake engine, which wraps the user's init script, and anything that has to read
 * such user data back: the sandbox (which simulates the script instead of running it) and the tests.
 *
 * A wrapped script is a POSIX shell script whose first lines are:
 *
 *   #!/bin/sh
 *   # quadraxis-wrapper: 2
 *   # quadraxis-bake: <bake id>
 *   # quadraxis-nonce: <hex nonce>
 *   # quadraxis-mode: script | cloud-init
 *
 * In `script` mode the user's script and its environment are embedded as base64 in single-quoted
 * assignments `QX_SCRIPT_B64='…'` and `QX_ENV_B64='…'` (the env payload is `NAME=base64(value)` lines).
 * In `cloud-init` mode the user's `#cloud-config` travels beside the wrapper in a MIME multipart document
 * and the wrapper only waits for cloud-init to finish.
 *
 * On the serial console the wrapper prints `[quadraxis:<nonce>] begin` before the script and
 * `[quadraxis:<nonce>] done exit=<code>` after it. The nonce is random per bake so a script's own output
 * cannot fake completion. Then it powers the machine off (instance-initiated shutdown):
 *   - version 2: whatever the exit code, so the builder stopping by itself is the one signal the engine
 *     waits for, and the console's done marker (read once) says how the script ended;
 *   - version 1: only after exit 0; a failed script left the machine running.
 * Readers must accept both (a builder launched by an older Quadraxis may still be resumed or simulated).
 *
 * Whole user data may be gzip-compressed (cloud-init reads gzip) when it would exceed EC2's 16 KB limit.
 */
export const WRAPPER_VERSION = 2;

/** From this version on, the wrapper powers the machine off after a failed script too. */
export const POWEROFF_ON_FAILURE_SINCE = 2;

export type WrapperMode = 'script' | 'cloud-init';

export interface WrapperInfo {
  version: number;
  bakeId: string;
  nonce: string;
  mode: WrapperMode;
  /** The user's own script, as they wrote it (script mode). */
  userScript?: string;
  env: Record<string, string>;
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

export function beginMarker(nonce: string): string {
  return `[quadraxis:${nonce}] begin`;
}

export function doneMarker(nonce: string, exitCode: number): string {
  return `[quadraxis:${nonce}] done exit=${exitCode}`;
}

export type MarkerLine = { kind: 'begin' } | { kind: 'done'; exitCode: number };

/** Recognises a marker for this nonce anywhere in a console line (the kernel may prefix timestamps). */
export function parseMarker(line: string, nonce: string): MarkerLine | null {
  const tag = `[quadraxis:${nonce}] `;
  const at = line.indexOf(tag);
  if (at < 0) return null;
  const rest = line.slice(at + tag.length).trim();
  if (rest === 'begin') return { kind: 'begin' };
  const done = /^done exit=(\d{1,3})$/.exec(rest);
  return done ? { kind: 'done', exitCode: Number(done[1]) } : null;
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

export function parseWrapper(text: string): WrapperInfo | null {
  if (!text.startsWith('#!')) return null;
  const version = headerValue(text, 'quadraxis-wrapper');
  const bakeId = headerValue(text, 'quadraxis-bake');
  const nonce = headerValue(text, 'quadraxis-nonce');
  const mode = headerValue(text, 'quadraxis-mode');
  if (!version || !bakeId || !nonce || (mode !== 'script' && mode !== 'cloud-init')) return null;
  const userScript = b64Assignment(text, 'QX_SCRIPT_B64');
  const envPayload = b64Assignment(text, 'QX_ENV_B64');
  return {
    version: Number(version),
    bakeId,
    nonce,
    mode,
    ...(userScript !== undefined ? { userScript } : {}),
    env: envPayload ? decodeEnv(envPayload) : {},
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
