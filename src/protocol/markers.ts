/**
 * The lines the wrapper prints on the builder's serial console, and how to read them back. Every marker
 * starts with `[quadraxis:<nonce>] ` (the kernel or journald may prefix a timestamp); the nonce is random
 * per bake, so markers of another bake (a builder reused, a log replayed) never count.
 *
 *   begin                            the init script (or, for a #cloud-config, the wait for cloud-init) starts
 *   warning <LEVEL>: <text>          one of cloud-init's own recoverable errors (version 3, #cloud-config)
 *   done exit=<code>                 how it ended (version 1 and 2)
 *   done exit=<code> warnings=<n>    the same, with how many warning lines came before it (version 3)
 *   cleaned                          the user data, its environment and the wrapper are gone (version 3)
 *   not-cleaned <paths>              what could not be removed (version 3): never imaged
 *   rebooted                         printed at the next boot when the script rebooted the builder (version 3)
 *   unresolved <NAME> <reason>: <t>  an environment reference the builder could not resolve (./env-references.ts)
 *
 * The nonce does not make a marker unforgeable: a script can read it (instance metadata, cloud-init's copy
 * of the user data) and print a marker of its own. The wrapper prints its markers last, so the reader takes
 * the *last* done marker, and a `cleaned` only counts after it.
 */
export type MarkerLine =
  | { kind: 'begin' }
  | { kind: 'done'; exitCode: number; warnings?: number }
  | { kind: 'warning'; level: string; message: string }
  | { kind: 'cleaned' }
  | { kind: 'not-cleaned'; what: string }
  | { kind: 'rebooted' }
  | { kind: 'unresolved'; name: string; reason: string; message: string };

export function markerTag(nonce: string): string {
  return `[quadraxis:${nonce}]`;
}

export function beginMarker(nonce: string): string {
  return `${markerTag(nonce)} begin`;
}

/** `warnings` is given by version 3 wrappers, which always say how many warning lines they printed. */
export function doneMarker(nonce: string, exitCode: number, warnings?: number): string {
  return `${markerTag(nonce)} done exit=${exitCode}${warnings === undefined ? '' : ` warnings=${warnings}`}`;
}

export function warningMarker(nonce: string, level: string, message: string): string {
  return `${markerTag(nonce)} warning ${level}: ${message}`;
}

export function cleanedMarker(nonce: string): string {
  return `${markerTag(nonce)} cleaned`;
}

export function unresolvedMarker(nonce: string, name: string, reason: string, message: string): string {
  return `${markerTag(nonce)} unresolved ${name} ${reason}: ${message}`;
}

export function rebootedMarker(nonce: string): string {
  return `${markerTag(nonce)} rebooted`;
}

/** Recognises a marker for this nonce anywhere in a console line. */
export function parseMarker(line: string, nonce: string): MarkerLine | null {
  const tag = `${markerTag(nonce)} `;
  const at = line.indexOf(tag);
  if (at < 0) return null;
  const rest = line.slice(at + tag.length).trim();
  if (rest === 'begin') return { kind: 'begin' };
  if (rest === 'cleaned') return { kind: 'cleaned' };
  if (rest === 'rebooted') return { kind: 'rebooted' };
  const done = /^done exit=(\d{1,3})(?: warnings=(\d{1,6}))?$/.exec(rest);
  if (done) {
    return {
      kind: 'done',
      exitCode: Number(done[1]),
      ...(done[2] !== undefined ? { warnings: Number(done[2]) } : {}),
    };
  }
  const warning = /^warning ([A-Z][A-Z0-9_-]{0,31}): (.*)$/.exec(rest);
  if (warning) return { kind: 'warning', level: warning[1]!, message: warning[2]! };
  const unresolved = /^unresolved ([A-Za-z_][A-Za-z0-9_]*) ([a-z-]{1,16}): (.*)$/.exec(rest);
  if (unresolved)
    return { kind: 'unresolved', name: unresolved[1]!, reason: unresolved[2]!, message: unresolved[3]! };
  const notCleaned = /^not-cleaned (.*)$/.exec(rest);
  return notCleaned ? { kind: 'not-cleaned', what: notCleaned[1]! } : null;
}

/**
 * The kernel's last line when the guest powers itself off (printed at emergency level, so whatever the
 * console's log level). On a console EC2 publishes late (Xen), seeing it means the output is complete.
 */
export const POWER_DOWN_LINE = /reboot: (?:Power down|System halted)\b/;

/**
 * A machine (re)starting: the kernel going down for a restart, its banner coming up, or cloud-init's first
 * stage (printed straight to the console, even on a kernel booted `quiet`).
 */
export const BOOT_LINE =
  /reboot: Restarting system|\bLinux version \d|Cloud-init v\. \S+ running 'init-local'/;

/**
 * systemd starting to take the machine down (Amazon Linux, Ubuntu, Debian; its first lines vary with the
 * units an image has): what follows is the shutdown, not the script. Match it on `plain` text.
 */
export const SHUTDOWN_START =
  /systemd\[1\]: Stopping session-\d+\.scope|Stopped target (?:graphical|multi-user|timers)\.target|Removed slice system-|Reached target (?:shutdown|reboot)\.target|reboot: (?:Power down|Restarting system)/;

/** A console line without its colours and terminal controls (systemd colours its status lines). */
export function plain(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/\x1b(?:\[[0-9;?]*[A-Za-z]|[A-Za-z])/g, '');
}

export interface CloudInitWarning {
  level: string;
  message: string;
}

/** Lines of context kept before a reboot, to show what the script was doing when it rebooted. */
const CONTEXT_LINES = 6;
/** At most this many lines in a reboot's evidence. */
const EVIDENCE_LINES = 14;

/**
 * Reads a builder's console, line by line, into what the completion protocol says so far. Feed it every
 * line (or, for a bake resumed after a restart, at least every line `significant` keeps) in order.
 */
export class CompletionReader {
  began = false;
  /** The exit code of the last done marker. */
  exitCode: number | undefined;
  /** What the last done marker said about warnings (version 3 only). */
  warningCount: number | undefined;
  /** The warning lines printed since the last begin marker. */
  warnings: CloudInitWarning[] = [];
  /** A `cleaned` marker came after the last done marker. */
  cleaned = false;
  notCleaned: string | undefined;
  /** The environment reference the builder could not resolve (the script never ran). */
  unresolved: { name: string; reason: string; message: string } | undefined;
  /** The guest's power-down line came after the last begin marker. */
  poweredDown = false;
  /** Set once the script rebooted the builder: the console lines that show it. */
  reboot: string[] | undefined;
  private open = false;
  /** The last lines before the shutdown began: what the script was doing. */
  private recent: string[] = [];
  private shutdownLine: string | undefined;
  private beginLine = '';

  constructor(private readonly nonce: string) {}

  /** Lines a resumed bake must see again to rebuild this state (markers, boots and power-downs). */
  significant(line: string): boolean {
    const text = plain(line);
    return parseMarker(line, this.nonce) !== null || BOOT_LINE.test(text) || POWER_DOWN_LINE.test(text);
  }

  push(line: string): MarkerLine | null {
    const marker = parseMarker(line, this.nonce);
    const text = marker ? line : plain(line);
    if (marker) this.apply(marker, line);
    else if (this.reboot && this.reboot.length < EVIDENCE_LINES && BOOT_LINE.test(text))
      this.reboot.push(line);
    else if (this.open && BOOT_LINE.test(text)) this.rebooted(line);
    if (!marker && POWER_DOWN_LINE.test(text)) this.poweredDown = true;
    if (this.shutdownLine !== undefined || marker) return marker;
    if (this.open && SHUTDOWN_START.test(text)) this.shutdownLine = line;
    else {
      this.recent.push(line);
      if (this.recent.length > CONTEXT_LINES) this.recent.shift();
    }
    return marker;
  }

  private apply(marker: MarkerLine, line: string): void {
    switch (marker.kind) {
      case 'begin':
        this.began = true;
        this.open = true;
        this.beginLine = line;
        this.warnings = [];
        this.unresolved = undefined;
        this.poweredDown = false;
        this.recent = [];
        this.shutdownLine = undefined;
        return;
      case 'warning':
        this.warnings.push({ level: marker.level, message: marker.message });
        return;
      case 'done':
        this.open = false;
        this.exitCode = marker.exitCode;
        this.warningCount = marker.warnings;
        this.cleaned = false;
        this.notCleaned = undefined;
        return;
      case 'cleaned':
        if (this.exitCode !== undefined) this.cleaned = true;
        return;
      case 'not-cleaned':
        this.cleaned = false;
        this.notCleaned = marker.what;
        return;
      case 'unresolved':
        this.unresolved = { name: marker.name, reason: marker.reason, message: marker.message };
        return;
      case 'rebooted':
        if (this.reboot) {
          if (this.reboot.length < EVIDENCE_LINES) this.reboot.push(line);
        } else this.rebooted(line);
        return;
    }
  }

  private rebooted(line: string): void {
    const shutdown = this.shutdownLine !== undefined ? [this.shutdownLine] : [];
    const evidence = [...this.recent, ...shutdown, line].slice(-(EVIDENCE_LINES - 1));
    this.reboot = [...(this.beginLine ? [this.beginLine] : []), ...evidence];
    this.open = false;
  }
}
