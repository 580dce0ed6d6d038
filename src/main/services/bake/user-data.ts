import { gzipSync } from 'node:zlib';
import type { Project } from '../../../shared/project';
import { AppError } from '../../../shared/result';
import { buildCloudInitWrapper, buildScriptWrapper } from './wrapper';

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
}

/** User data formats cloud-init understands that cannot be wrapped by a shell script. */
const UNWRAPPABLE = /^(#include|#cloud-boothook|#part-handler|#upstart-job|Content-Type:)/i;

function multipart(boundary: string, parts: { type: string; filename: string; body: string }[]): string {
  const lines = [`Content-Type: multipart/mixed; boundary="${boundary}"`, 'MIME-Version: 1.0', ''];
  for (const part of parts) {
    lines.push(
      `--${boundary}`,
      `Content-Type: ${part.type}; charset="utf-8"`,
      'MIME-Version: 1.0',
      `Content-Disposition: attachment; filename="${part.filename}"`,
      '',
      part.body.replace(/\n$/, ''),
    );
  }
  lines.push(`--${boundary}--`, '');
  return lines.join('\n');
}

function wrappedText({ bakeId, nonce, project }: UserDataInput): {
  text: string;
  mode: BuiltUserData['mode'];
} {
  const script = project.initScript;
  const completion = project.completion;
  if (completion.mode === 'wait') return { text: script, mode: 'raw' };
  const trimmed = script.trimStart();
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
    const boundary = `==quadraxis-${nonce}==`;
    const text = multipart(boundary, [
      { type: 'text/cloud-config', filename: 'cloud-config.txt', body: script },
      { type: 'text/x-shellscript', filename: 'quadraxis-wrapper.sh', body: wrapper },
    ]);
    return { text, mode: 'cloud-init' };
  }
  const text = buildScriptWrapper({
    bakeId,
    nonce,
    cloudInitClean: completion.cloudInitClean,
    script,
    env: project.env,
  });
  return { text, mode: 'script' };
}

/**
 * Builds the user data for the builder: the wrapped script (or, in "wait" mode, the script as is), gzipped
 * when over EC2's limit, and refuses clearly when even the compressed form is too big.
 */
export function buildUserData(input: UserDataInput): BuiltUserData {
  const { text, mode } = wrappedText(input);
  const raw = Buffer.from(text, 'utf8');
  if (raw.length <= USER_DATA_LIMIT_BYTES) {
    return { base64: raw.toString('base64'), mode, gzipped: false, rawBytes: raw.length, bytes: raw.length };
  }
  const gz = gzipSync(raw, { level: 9 });
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

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
