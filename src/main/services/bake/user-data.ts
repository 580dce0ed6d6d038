import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Project } from '../../../shared/project';
import type { WireReference } from '../../../protocol/env-references';
import { envReferences, plainEnv } from '../../../shared/environments';
import type { Env } from '../../../shared/project';
import { AppError } from '../../../shared/result';
import { buildCloudInitWrapper, buildScriptWrapper, type WrapperText } from './wrapper';

/** EC2 rejects user data over 16 KB (before base64). cloud-init reads gzip, so larger scripts are compressed. */
export const USER_DATA_LIMIT_BYTES = 16 * 1024;

export interface BuiltUserData {
  /** What RunInstances takes: base64 of the (possibly gzipped) bytes. */
  base64: string;
  mode: 'script' | 'cloud-init' | 'raw';
  gzipped: boolean;
  /** Size of the text before compression. */
  rawBytes: number;
  /** Size handed to EC2 (after gzip, before base64). */
  bytes: number;
}

export interface UserDataInput {
  bakeId: string;
  nonce: string;
  project: Pick<Project, 'initScript' | 'env' | 'completion'>;
  /** Sandbox targets only: where the builder's reference resolver reaches SSM and Secrets Manager. */
  awsEndpoint?: string;
}

/** User data formats cloud-init understands that cannot be wrapped by a shell script. */
const UNWRAPPABLE = /^(#include|#cloud-boothook|#part-handler|#upstart-job|Content-Type:)/i;
/** What EC2Launch (Windows) runs; cloud-init would treat it as plain text and run nothing. */
const WINDOWS_USER_DATA = /^<(powershell|script|persist)>/i;

function partHeaders(boundary: string, type: string, filename: string): string {
  return [
    `--${boundary}`,
    `Content-Type: ${type}; charset="utf-8"`,
    'MIME-Version: 1.0',
    `Content-Disposition: attachment; filename="${filename}"`,
    '',
    '',
  ].join('\n');
}

/**
 * The wrapper first, then the user's #cloud-config (cloud-init reads the parts in any order). The boundary
 * comes from the cloud-config's hash, not the nonce, so everything that changes per bake stays in the head.
 */
function multipart(wrapper: WrapperText, cloudConfig: string): WrapperText {
  const boundary = `==quadraxis-${createHash('sha256').update(cloudConfig, 'utf8').digest('hex').slice(0, 32)}==`;
  const head = [
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    'MIME-Version: 1.0',
    '',
    partHeaders(boundary, 'text/x-shellscript', 'quadraxis-wrapper.sh'),
  ].join('\n');
  const body = [
    wrapper.body.replace(/\n$/, ''),
    partHeaders(boundary, 'text/cloud-config', 'cloud-config.txt') + cloudConfig.replace(/\n$/, ''),
    `--${boundary}--`,
    '',
  ].join('\n');
  return { head: head + wrapper.head, body };
}

/** NUL cannot travel in a shell here-document (nor run as a script): said plainly instead of mangled. */
function refuseNul(script: string): void {
  const at = script.indexOf('\0');
  if (at < 0) return;
  const line = script.slice(0, at).split('\n').length;
  throw new AppError(
    'INVALID_INPUT',
    `initScript: line ${line} contains a NUL byte; an init script is text. Remove it (binary files belong in S3 or a package).`,
  );
}

function wrappedText({ bakeId, nonce, project, awsEndpoint }: UserDataInput): {
  text: WrapperText;
  mode: BuiltUserData['mode'];
} {
  const script = project.initScript;
  const completion = project.completion;
  if (completion.mode === 'wait') return { text: { head: '', body: script }, mode: 'raw' };
  refuseNul(script);
  const trimmed = script.trimStart();
  if (WINDOWS_USER_DATA.test(trimmed)) {
    throw new AppError(
      'INVALID_INPUT',
      'initScript: this is Windows user data (<powershell>, <script> or <persist>), which EC2Launch runs on Windows; the completion wrapper needs a Linux image with cloud-init. Use a shell script or a #cloud-config, or completion mode "wait".',
    );
  }
  if (UNWRAPPABLE.test(trimmed)) {
    throw new AppError(
      'INVALID_INPUT',
      'initScript: this kind of user data cannot be wrapped to report completion; use a shell script, a #cloud-config, or completion mode "wait".',
    );
  }
  if (trimmed.startsWith('#cloud-config')) {
    if (Object.keys(project.env).length > 0) {
      throw new AppError(
        'INVALID_INPUT',
        'env: environment variables reach shell scripts only; a #cloud-config cannot read them. Remove env or write the values into the config.',
      );
    }
    const wrapper = buildCloudInitWrapper({ bakeId, nonce, cloudInitClean: completion.cloudInitClean });
    return { text: multipart(wrapper, script), mode: 'cloud-init' };
  }
  const text = buildScriptWrapper({
    bakeId,
    nonce,
    cloudInitClean: completion.cloudInitClean,
    script,
    env: plainEnv(project.env),
    refs: wireReferences(project.env),
    ...(awsEndpoint ? { awsEndpoint } : {}),
  });
  return { text, mode: 'script' };
}

/**
 * gzip as cloud-init reads it: the head (what changes per bake) in a stored member, the body compressed
 * in a second member. Its size depends on the head's length only, never on the nonce's digits.
 */
export function gzipUserData(text: WrapperText): Buffer {
  const body = gzipSync(Buffer.from(text.body, 'utf8'), { level: 9 });
  if (text.head === '') return body;
  return Buffer.concat([gzipSync(Buffer.from(text.head, 'utf8'), { level: 0 }), body]);
}

/**
 * Builds the user data for the builder: the wrapped script (or, in "wait" mode, the script as is), gzipped
 * when over EC2's limit, and refuses clearly when even the compressed form is too big.
 */
export function buildUserData(input: UserDataInput): BuiltUserData {
  const { text, mode } = wrappedText(input);
  const raw = Buffer.from(text.head + text.body, 'utf8');
  if (raw.length <= USER_DATA_LIMIT_BYTES) {
    return { base64: raw.toString('base64'), mode, gzipped: false, rawBytes: raw.length, bytes: raw.length };
  }
  const gz = gzipUserData(text);
  if (gz.length > USER_DATA_LIMIT_BYTES) {
    throw new AppError(
      'INVALID_INPUT',
      `initScript: the user data is ${kib(raw.length)} (${kib(gz.length)} gzipped); EC2 accepts at most 16 KB. ` +
        'Keep the bulk elsewhere (an S3 object, a package, a repository) and fetch it from the script.',
      { rawBytes: String(raw.length), gzippedBytes: String(gz.length) },
    );
  }
  return { base64: gz.toString('base64'), mode, gzipped: true, rawBytes: raw.length, bytes: gz.length };
}

/**
 * What the bake would send, measured without a bake: the sizes of the user data built with placeholders
 * as long as a real bake id and nonce, which is all the sizes depend on. `gzipBytes` is the compressed
 * size whether or not the bake needs to compress.
 */
export function measureUserData(project: UserDataInput['project']): { rawBytes: number; gzipBytes: number } {
  const { text } = wrappedText({ bakeId: PLACEHOLDER_BAKE_ID, nonce: PLACEHOLDER_NONCE, project });
  return {
    rawBytes: Buffer.byteLength(text.head + text.body, 'utf8'),
    gzipBytes: gzipUserData(text).length,
  };
}

/** Same lengths as the engine's real bake id and nonce (bk_ + 20 characters, 32 hex digits). */
const PLACEHOLDER_BAKE_ID = `bk_${'0'.repeat(20)}`;
const PLACEHOLDER_NONCE = '0'.repeat(32);

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** The references as the wrapper carries them (names only; src/protocol/env-references.ts). */
export function wireReferences(env: Env): WireReference[] {
  return envReferences(env).map(([name, ref]) =>
    'ssm' in ref
      ? { name, source: 'ssm', id: ref.ssm }
      : { name, source: 'secretsmanager', id: ref.secretsManager, ...(ref.key ? { key: ref.key } : {}) },
  );
}
