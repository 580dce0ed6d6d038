import { encodeEnv, wrapperHeader } from '../../../protocol/user-data';

/**
 * The shell wrapper that runs on the builder as cloud-init user data (protocol version 2). It is what lets the
 * engine wait for the init script to have *really* finished instead of guessing: it prints begin/done markers
 * (with a per-bake nonce) on the serial console and then powers the machine off — whether the script
 * succeeded or failed. The instance stopping by itself is then the one thing the engine waits for (batched
 * DescribeInstances, no console polling), and one GetConsoleOutput afterwards reads the done marker: exit 0
 * is imaged, anything else fails the bake with its exit code, and no marker at all means the machine went
 * down before the script finished. A failed builder loses nothing by powering off: the engine terminates it.
 *
 * Paths it touches can be moved only through variables with production defaults (QX_CONSOLE, QX_POWEROFF,
 * QX_ROOT), so tests run it under `sh` in a temporary root with stand-ins for the console and poweroff.
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
}

function base64Lines(text: string): string {
  const b64 = Buffer.from(text, 'utf8').toString('base64');
  return (b64.match(/.{1,76}/g) ?? []).join('\n');
}

// Shared prelude: settings, console output, base64 decoding, cleanup. Kept as plain POSIX sh (dash, busybox).
const PRELUDE = String.raw`QX_CONSOLE="${'$'}{QX_CONSOLE:-/dev/console}"
QX_POWEROFF="${'$'}{QX_POWEROFF:-poweroff}"
QX_ROOT="${'$'}{QX_ROOT:-}"
QX_WORK="$QX_ROOT/var/lib/quadraxis"
QX_CLOUD="$QX_ROOT/var/lib/cloud"
# Built at run time so the marker text never appears literally in the user data.
qx_tag="[quadraxis:$QX_NONCE]"

qx_say() {
  printf '%s\n' "$*" >> "$QX_CONSOLE" 2>/dev/null || printf '%s\n' "$*"
}

qx_b64d() {
  if command -v base64 > /dev/null 2>&1; then tr -d ' \n' | base64 -d; else tr -d ' \n' | openssl base64 -d -A; fi
}

# cloud-init keeps copies of the user data (this wrapper, the script, its environment) that must not be baked in.
qx_clean() {
  rm -rf "$QX_WORK"
  for qx_dir in "$QX_CLOUD"/instances/*; do
    [ -d "$qx_dir" ] || continue
    rm -f "$qx_dir/user-data.txt" "$qx_dir/user-data.txt.i" "$qx_dir/obj.pkl" "$qx_dir"/scripts/part-*
  done
  rm -f "$0"
  if [ "$QX_CLEAN_CLOUD_INIT" = 1 ] && command -v cloud-init > /dev/null 2>&1; then
    cloud-init clean --logs > /dev/null 2>&1 || qx_say "quadraxis: warning: cloud-init clean failed"
  fi
}

qx_finish() {
  qx_say "$qx_tag done exit=$1"
  if [ "$1" -eq 0 ]; then
    qx_clean
    qx_say "quadraxis: init script succeeded; powering off for imaging"
  else
    # Nothing is imaged: the engine reads the exit code from the marker above and terminates the builder.
    qx_say "quadraxis: init script failed (exit $1); powering off"
  fi
  sync
  "$QX_POWEROFF" || shutdown -h now
  exit "$1"
}
`;

/** Script mode: the user's script (any shebang) and its environment travel inside the wrapper as base64. */
export function buildScriptWrapper(options: ScriptWrapperOptions): string {
  const header = wrapperHeader({ bakeId: options.bakeId, nonce: options.nonce, mode: 'script' });
  return `${header}
# Runs the init script below, reports its exit code on the serial console and powers the builder off (after
# removing, when it succeeded, what must not be baked into the image). Written by Quadraxis.
QX_SCRIPT_B64='
${base64Lines(options.script)}'
QX_ENV_B64='${base64Lines(encodeEnv(options.env))}'
QX_NONCE='${options.nonce}'
QX_CLEAN_CLOUD_INIT=${options.cloudInitClean ? 1 : 0}
${PRELUDE}
umask 077
rm -rf "$QX_WORK"
if ! mkdir -p "$QX_WORK" || ! printf '%s' "$QX_SCRIPT_B64" | qx_b64d > "$QX_WORK/init-script"; then
  qx_say "quadraxis: could not unpack the init script into $QX_WORK"
  qx_finish 125
fi
chmod 700 "$QX_WORK/init-script"

qx_env=$(printf '%s' "$QX_ENV_B64" | qx_b64d)
while IFS= read -r qx_line; do
  [ -n "$qx_line" ] || continue
  # A trailing x keeps trailing newlines of the value from being eaten by command substitution.
  qx_value=$(printf '%s' "\${qx_line#*=}" | qx_b64d; printf x)
  export "\${qx_line%%=*}=\${qx_value%x}"
done <<QX_ENV_END
$qx_env
QX_ENV_END
export HOME="\${HOME:-/root}"

qx_first=
IFS= read -r qx_first < "$QX_WORK/init-script" || true
qx_say "$qx_tag begin"
case "$qx_first" in
  '#!'*) (cd / && exec "$QX_WORK/init-script") < /dev/null >> "$QX_CONSOLE" 2>&1 ;;
  *) (cd / && exec /bin/sh "$QX_WORK/init-script") < /dev/null >> "$QX_CONSOLE" 2>&1 ;;
esac
qx_finish $?
`;
}

/**
 * Cloud-init mode: the user's #cloud-config travels beside this wrapper in a MIME multipart document; the
 * wrapper waits for cloud-init to finish all of it and reports cloud-init's verdict.
 */
export function buildCloudInitWrapper(options: WrapperOptions): string {
  const header = wrapperHeader({ bakeId: options.bakeId, nonce: options.nonce, mode: 'cloud-init' });
  return `${header}
# Waits for cloud-init to finish the #cloud-config beside it, reports the outcome on the serial console and
# powers the builder off (after removing, when it succeeded, what must not be baked into the image).
QX_NONCE='${options.nonce}'
QX_CLEAN_CLOUD_INIT=${options.cloudInitClean ? 1 : 0}
${PRELUDE}
if [ "\${QX_DETACHED:-0}" != 1 ]; then
  # cloud-init runs this part inside its own final stage, so waiting here would wait for itself: hand over to
  # a detached copy, which outlives the stage (cloud-final.service uses KillMode=process).
  QX_DETACHED=1 nohup sh "$0" < /dev/null > /dev/null 2>&1 &
  exit 0
fi

qx_say "$qx_tag begin"
if cloud-init status --help 2> /dev/null | grep -q -- '--wait'; then
  cloud-init status --wait > /dev/null 2>&1
  qx_code=$?
  # cloud-init 23.4+ exits 2 for "done with recoverable errors" (deprecated keys and the like).
  if [ "$qx_code" -eq 2 ]; then
    qx_say "quadraxis: cloud-init finished with recoverable errors (see cloud-init status --long)"
    qx_code=0
  fi
else
  while [ ! -e "$QX_CLOUD/instance/boot-finished" ]; do sleep 2; done
  qx_code=0
fi
qx_finish "$qx_code"
`;
}
