import { unknownKeyOnLine } from './cloud-config-rules';
import { findSecret, SECRET_ADVICE } from './user-data-secrets';

/**
 * Problems in an init script that a person can fix before baking, found without running anything. The editor
 * shows them as markers; the rules mirror what cloud-init and the bake wrapper (src/main/services/bake/
 * wrapper.ts and user-data.ts) really do with the script, so a warning here is a problem there.
 */

export type DiagnosticSeverity = 'error' | 'warning' | 'info';

export type DiagnosticCode =
  | 'empty'
  | 'bom'
  | 'shebang-not-first'
  | 'missing-shebang'
  | 'bad-shebang'
  | 'unwrappable'
  | 'windows-user-data'
  | 'nul-byte'
  | 'cloud-config-unknown-key'
  | 'cloud-config-env'
  | 'env-ignored'
  | 'crlf'
  | 'yaml-tab'
  | 'lookalike-characters'
  | 'secret'
  | 'powers-off'
  | 'user-data-gzipped'
  | 'user-data-too-large';

export interface ScriptDiagnostic {
  code: DiagnosticCode;
  severity: DiagnosticSeverity;
  message: string;
  /** 1-based, as Monaco counts; endColumn is exclusive. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** What the engine will hand EC2, from `projects:measure-script` (the real wrapper, the real gzip). */
export interface ScriptSize {
  /** The wrapped user data before compression. */
  rawBytes: number;
  /** The same, gzip-compressed at the level the engine uses. */
  gzipBytes: number;
  limitBytes: number;
}

export interface DiagnoseOptions {
  /** "wait" sends the script as plain user data; "wrapper" (default) wraps it to report completion. */
  completionMode?: 'wrapper' | 'wait';
  envCount?: number;
  size?: ScriptSize;
}

export type ScriptKind = 'empty' | 'shell' | 'cloud-config' | 'other-user-data' | 'windows' | 'no-shebang';

/** User data cloud-init understands that a shell wrapper cannot wrap (the engine refuses it in wrapper mode). */
const UNWRAPPABLE = /^(#include|#cloud-boothook|#part-handler|#upstart-job|Content-Type:)/i;
const CLOUD_CONFIG = /^#cloud-config\b/;
/** What EC2Launch runs on Windows; cloud-init would take it for plain text and run nothing. */
const WINDOWS_USER_DATA = /^<(powershell|script|persist)>/i;

export function scriptKind(script: string): ScriptKind {
  const start = script.replace(/^\uFEFF/, '').trimStart();
  if (start === '') return 'empty';
  if (start.startsWith('#!')) return 'shell';
  if (CLOUD_CONFIG.test(start)) return 'cloud-config';
  if (UNWRAPPABLE.test(start)) return 'other-user-data';
  if (WINDOWS_USER_DATA.test(start)) return 'windows';
  return 'no-shebang';
}

/** The editor's language: YAML for a #cloud-config, shell for everything else. */
export function scriptLanguage(script: string): 'shell' | 'yaml' {
  return scriptKind(script) === 'cloud-config' ? 'yaml' : 'shell';
}

const POWER_OFF =
  /^\s*(?:sudo\s+)?(?:reboot|poweroff|halt|shutdown\b|systemctl\s+(?:reboot|poweroff|halt))\b/;
const LOOKALIKES = /[\u2018\u2019\u201C\u201D\u00A0\u2013\u2014]/;

export function diagnoseScript(script: string, options: DiagnoseOptions = {}): ScriptDiagnostic[] {
  const mode = options.completionMode ?? 'wrapper';
  const lines = script.split('\n');
  const out: ScriptDiagnostic[] = [];
  const at = (
    code: DiagnosticCode,
    severity: DiagnosticSeverity,
    message: string,
    line = 1,
    column = 1,
    length?: number,
  ) => {
    const text = lines[line - 1] ?? '';
    const end = length === undefined ? Math.max(text.length + 1, column + 1) : column + length;
    out.push({ code, severity, message, line, column, endLine: line, endColumn: end });
  };

  const kind = scriptKind(script);
  const nul = script.indexOf('\0');
  if (nul >= 0) {
    const line = script.slice(0, nul).split('\n').length;
    at('nul-byte', 'error', 'A NUL byte: an init script is text, and the bake refuses it. Remove it.', line);
  }
  if (kind === 'empty') {
    at('empty', 'warning', 'The init script is empty: the builder would be imaged unchanged.');
    return withSize(out, options.size, at);
  }
  if (script.startsWith('\uFEFF')) {
    at(
      'bom',
      'warning',
      'The script starts with an invisible byte-order mark, so its first line is not seen as #!. Save it as UTF-8 without BOM.',
      1,
      1,
      1,
    );
  }
  firstLineRules(script, lines, kind, mode, options.envCount ?? 0, at);
  lineRules(lines, kind, mode, at);
  return withSize(out, options.size, at);
}

type At = (
  code: DiagnosticCode,
  severity: DiagnosticSeverity,
  message: string,
  line?: number,
  column?: number,
  length?: number,
) => void;

function firstLineRules(
  script: string,
  lines: string[],
  kind: ScriptKind,
  mode: 'wrapper' | 'wait',
  envCount: number,
  at: At,
): void {
  const body = script.replace(/^\uFEFF/, '');
  const firstTextLine = lines.findIndex((l) => l.trim() !== '') + 1 || 1;
  if (kind === 'shell' && !body.startsWith('#!')) {
    at(
      'shebang-not-first',
      mode === 'wait' ? 'error' : 'warning',
      mode === 'wait'
        ? 'The #! line must be the very first line; with anything before it cloud-init does not run the script.'
        : 'The #! line must be the very first line; as it is, the script runs under /bin/sh instead.',
      firstTextLine,
    );
  }
  const first = lines[firstTextLine - 1] ?? '';
  if (kind === 'shell') {
    const interpreter = /^\uFEFF?\s*#!\s*(\S*)/.exec(first)?.[1] ?? '';
    if (!interpreter.startsWith('/')) {
      at(
        'bad-shebang',
        'error',
        'After #! comes the interpreter’s absolute path, like #!/bin/bash or #!/usr/bin/env python3.',
        firstTextLine,
      );
    }
  }
  if (kind === 'no-shebang') {
    at(
      'missing-shebang',
      mode === 'wait' ? 'error' : 'warning',
      mode === 'wait'
        ? 'No #! line: cloud-init runs user data as a script only when its first line is one, like #!/bin/sh. This script would be ignored.'
        : 'No #! line: the script will run under /bin/sh. Put #!/bin/bash as the very first line if it needs bash.',
      firstTextLine,
    );
  }
  if (kind === 'other-user-data' && mode === 'wrapper') {
    at(
      'unwrappable',
      'error',
      'This kind of user data cannot report when it has finished: use a shell script or a #cloud-config, or the "wait" completion mode.',
      firstTextLine,
    );
  }
  if (kind === 'windows') {
    at(
      'windows-user-data',
      mode === 'wrapper' ? 'error' : 'info',
      mode === 'wrapper'
        ? 'Windows user data (<powershell>, <script>, <persist>) runs through EC2Launch on Windows; the completion wrapper needs a Linux image with cloud-init, and Windows base images are refused. Use the "wait" completion mode.'
        : 'Windows user data: EC2Launch runs it on a Windows base image. A Linux image ignores it.',
      firstTextLine,
    );
  }
  if (kind === 'cloud-config' && envCount > 0 && mode === 'wrapper') {
    at(
      'cloud-config-env',
      'error',
      'Environment variables reach shell scripts only; a #cloud-config cannot read them, so the bake would be refused. Remove them or write the values into the config.',
      firstTextLine,
    );
  }
  if (mode === 'wait' && envCount > 0) {
    at(
      'env-ignored',
      'warning',
      'In the "wait" completion mode the script is sent as plain user data: its environment variables are not passed.',
      firstTextLine,
    );
  }
}

function lineRules(lines: string[], kind: ScriptKind, mode: 'wrapper' | 'wait', at: At): void {
  const crlf = lines.flatMap((l, i) => (l.endsWith('\r') ? [i + 1] : []));
  if (crlf[0] !== undefined) {
    at(
      'crlf',
      'error',
      `Windows line endings on ${crlf.length === 1 ? '1 line' : `${crlf.length} lines`}: every command ends in a stray carriage return ("/bin/bash^M: bad interpreter"). Convert the script to LF.`,
      crlf[0],
    );
  }
  let lookalikeReported = false;
  lines.forEach((text, index) => {
    const line = index + 1;
    if (kind === 'cloud-config') {
      const unknown = unknownKeyOnLine(text);
      if (unknown) at('cloud-config-unknown-key', 'warning', unknown.message, line, 1, unknown.key.length);
      const indent = /^[ \t]*/.exec(text)?.[0] ?? '';
      if (indent.includes('\t')) {
        at(
          'yaml-tab',
          'error',
          'YAML does not allow tabs for indentation; use spaces.',
          line,
          1,
          indent.length,
        );
      }
    } else if (!lookalikeReported) {
      const match = LOOKALIKES.exec(text);
      if (match) {
        lookalikeReported = true;
        at(
          'lookalike-characters',
          'warning',
          'Typographic quotes, dashes or a non-breaking space (from a document or chat): the shell does not treat them as quotes, dashes or spaces.',
          line,
          match.index + 1,
          1,
        );
      }
    }
    const secret = findSecret(text);
    if (secret) {
      at(
        'secret',
        'warning',
        `This looks like ${secret.what}. ${SECRET_ADVICE}`,
        line,
        secret.index + 1,
        secret.length,
      );
    }
    if (mode === 'wrapper' && kind !== 'cloud-config') {
      const match = POWER_OFF.exec(text);
      if (match) {
        at(
          'powers-off',
          'warning',
          'The script reboots or powers off the builder itself: a reboot fails the bake (the script never finishes; the image is made from the powered-off builder, so a new kernel takes effect on instances anyway), a poweroff hides the script’s exit code. Quadraxis powers the builder off once the script has ended.',
          line,
          match.index + 1,
          match[0].length,
        );
      }
    }
  });
}

function withSize(out: ScriptDiagnostic[], size: ScriptSize | undefined, at: At): ScriptDiagnostic[] {
  const verdict = size && sizeVerdict(size);
  if (verdict?.level === 'over') at('user-data-too-large', 'error', verdict.message);
  else if (verdict?.level === 'gzip') at('user-data-gzipped', 'info', verdict.message);
  return out;
}

export interface SizeVerdict {
  /** ok: sent as is; gzip: over the limit raw, fits compressed; over: refused even compressed. */
  level: 'ok' | 'gzip' | 'over';
  /** What EC2 would receive: raw when it fits, else gzip. */
  sentBytes: number;
  message: string;
}

export function sizeVerdict(size: ScriptSize): SizeVerdict {
  const limit = formatBytes(size.limitBytes);
  if (size.rawBytes <= size.limitBytes) {
    return {
      level: 'ok',
      sentBytes: size.rawBytes,
      message: `${formatBytes(size.rawBytes)} of the ${limit} user-data limit, with the completion wrapper.`,
    };
  }
  if (size.gzipBytes <= size.limitBytes) {
    return {
      level: 'gzip',
      sentBytes: size.gzipBytes,
      message: `${formatBytes(size.rawBytes)} is over EC2’s ${limit} limit, so the bake sends it gzip-compressed (${formatBytes(size.gzipBytes)}); cloud-init unpacks it.`,
    };
  }
  return {
    level: 'over',
    sentBytes: size.gzipBytes,
    message: `Too big even compressed: ${formatBytes(size.gzipBytes)} gzipped (${formatBytes(size.rawBytes)} raw); EC2 accepts at most ${limit}, so the bake will be refused. Keep the bulk elsewhere (S3, a package, a repository) and fetch it from the script.`,
  };
}

/** 1 KB = 1024 bytes, as EC2 counts its 16 KB user-data limit. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const kb = bytes / 1024;
  return `${kb < 10 ? kb.toFixed(1) : Math.round(kb)} KB`;
}
