import { UNRESOLVED_EXIT_CODE } from '../../../protocol/env-references';

/**
 * The shell the wrapper is made of, as text (plain POSIX sh: dash, bash, busybox). Kept apart from the
 * code that assembles it (wrapper.ts); every byte here travels in every bake's user data, so comments in
 * the shell are few and short, and the reasons live in these TypeScript comments instead.
 *
 * Paths can be moved only through variables with production defaults, so tests run the wrapper under
 * `sh` and `bash` in a temporary root with stand-ins for the devices, cloud-init and poweroff:
 *   QX_ROOT (/) — where /var/lib/cloud, /var/lib/quadraxis and /var/log live;
 *   QX_DEV (/dev) — the console devices (ttyS0, those /proc/consoles names) and kmsg;
 *   QX_PROC (/proc) — /proc/consoles;
 *   QX_POWEROFF (poweroff);
 *   QX_FOREGROUND (0) — 1 runs what is normally detached in the foreground.
 */

/**
 * Consoles. Markers and the script's output go to the serial port EC2 reads (ttyS0) and to every console
 * the kernel writes to (/proc/consoles, flag W) — never to /dev/console alone, which is only the *last*
 * `console=` on the kernel command line: tty0 on RHEL-family images, whose serial console would then
 * show nothing. A device counts when it can be opened (a serial port without hardware cannot). With none,
 * /dev/kmsg: the kernel prints it on its consoles itself (at level 3, so a `quiet` kernel still shows it;
 * the kernel rate-limits /dev/kmsg, so a chatty script loses lines there, markers do not).
 *
 * Cleanup. Whatever cloudInitClean says, the copies cloud-init keeps of the user data (user-data.txt,
 * .txt.i, the combined cloud-config.txt, obj.pkl — its pickled datasource holds the raw user data — and
 * scripts/, where part-001, the wrapper part and runcmd are written) are removed from every instance
 * directory, with status.json and result.json (they quote cloud-config errors), the per-boot hook and the
 * wrapper's work directory; then every file under /var/lib/cloud that still contains the nonce (any copy
 * of this user data, whatever a cloud-init version calls it) goes too. Only if nothing is left is
 * `cleaned` printed; `cloud-init clean --logs` then runs when cloudInitClean says so.
 */
export const PRELUDE = String.raw`QX_DEV="${'$'}{QX_DEV:-/dev}"
QX_PROC="${'$'}{QX_PROC:-/proc}"
QX_POWEROFF="${'$'}{QX_POWEROFF:-poweroff}"
QX_ROOT="${'$'}{QX_ROOT:-}"
QX_WORK="$QX_ROOT/var/lib/quadraxis"
QX_CLOUD="$QX_ROOT/var/lib/cloud"
QX_HOOK="$QX_CLOUD/scripts/per-boot/00-quadraxis-rebooted"
qx_tag="[quadraxis:$QX_NONCE]"
QX_CONSOLES=
qx_console() {
  case " $QX_CONSOLES " in *" $QX_DEV/$1 "*) return ;; esac
  [ -e "$QX_DEV/$1" ] && (: >> "$QX_DEV/$1") 2> /dev/null && QX_CONSOLES="$QX_CONSOLES $QX_DEV/$1"
}
qx_console ttyS0
if [ -r "$QX_PROC/consoles" ]; then
  while read -r qx_n qx_f qx_r; do
    case "$qx_f" in *W*) qx_console "$qx_n" ;; esac
  done < "$QX_PROC/consoles"
fi
qx_say() {
  if [ -z "$QX_CONSOLES" ]; then
    printf '<3>%s\n' "$*" >> "$QX_DEV/kmsg" 2> /dev/null || printf '%s\n' "$*"
    return
  fi
  for qx_c in $QX_CONSOLES; do printf '%s\n' "$*" >> "$qx_c" 2> /dev/null; done
}
qx_forward() {
  if [ -n "$QX_CONSOLES" ]; then
    tee -a $QX_CONSOLES > /dev/null 2>&1
  else
    while IFS= read -r qx_l || [ -n "$qx_l" ]; do qx_say "$qx_l"; done
  fi
}
qx_detach() {
  if [ "${'$'}{QX_FOREGROUND:-0}" = 1 ]; then "$@"; else (trap '' HUP; "$@") < /dev/null > /dev/null 2>&1 & fi
}
qx_poweroff() {
  sync
  "$QX_POWEROFF" || shutdown -h now
}
qx_hook() {
  mkdir -p "${'$'}{QX_HOOK%/*}" 2> /dev/null && (umask 077 && cat > "$QX_HOOK" << QX_HOOK_END
#!/bin/sh
for c in ${'$'}{QX_CONSOLES:-$QX_DEV/kmsg}; do echo "$qx_tag rebooted" >> "\$c"; done 2> /dev/null
rm -f "\$0"
"$QX_POWEROFF" || shutdown -h now
QX_HOOK_END
  ) 2> /dev/null && chmod 700 "$QX_HOOK"
}
qx_wait_cloud_init() {
  command -v cloud-init > /dev/null 2>&1 || return 0
  if cloud-init status --help 2>&1 | grep -q -- --wait; then
    cloud-init status --wait > /dev/null 2>&1
    qx_status=$?
  else
    qx_i=0
    until [ -e "$QX_CLOUD/instance/boot-finished" ] || [ "$qx_i" -ge 900 ]; do sleep 2; qx_i=$((qx_i + 1)); done
    qx_status=0
  fi
  qx_i=0
  while [ "$(systemctl is-active cloud-final.service 2> /dev/null)" = activating ] && [ "$qx_i" -lt 120 ]; do
    sleep 1
    qx_i=$((qx_i + 1))
  done
  return "$qx_status"
}
qx_clean() {
  rm -rf "$QX_WORK" "$QX_HOOK" "$QX_CLOUD/data/status.json" "$QX_CLOUD/data/result.json"
  for qx_d in "$QX_CLOUD"/instances/*/; do
    [ -d "$qx_d" ] || continue
    rm -rf "$qx_d"user-data.txt "$qx_d"user-data.txt.i "$qx_d"cloud-config.txt "$qx_d"obj.pkl "$qx_d"scripts
  done
  grep -rlF -- "$QX_NONCE" "$QX_CLOUD" 2> /dev/null | while IFS= read -r qx_p; do rm -f "$qx_p"; done
  qx_left=
  for qx_p in "$QX_WORK" "$QX_HOOK" "$QX_CLOUD"/instances/*/user-data.txt* "$QX_CLOUD"/instances/*/cloud-config.txt \
    "$QX_CLOUD"/instances/*/obj.pkl "$QX_CLOUD"/instances/*/scripts $(grep -rlF -- "$QX_NONCE" "$QX_CLOUD" 2> /dev/null); do
    [ -e "$qx_p" ] && qx_left="$qx_left $qx_p"
  done
  if [ -n "$qx_left" ]; then
    qx_say "$qx_tag not-cleaned$qx_left"
    return 1
  fi
  if [ "$QX_CLEAN_CLOUD_INIT" = 1 ] && command -v cloud-init > /dev/null 2>&1; then
    cloud-init clean --logs > /dev/null 2>&1 || qx_say "quadraxis: warning: cloud-init clean failed"
  fi
  qx_say "$qx_tag cleaned"
}
`;

/**
 * Script mode. The script runs in the foreground, inside cloud-init's final stage like any user-data
 * script, with the umask, working directory (/) and environment the image's own boot gives it, plus the
 * project's environment, HOME when unset (git, pip and npm fail without it) and pagers switched off
 * (PAGER=cat GIT_PAGER=cat SYSTEMD_PAGER= AWS_PAGER=). Its stdin is /dev/null and its output goes through
 * a FIFO to `tee`, so it never sees a terminal: a pager would otherwise wait for a key forever. TERM and
 * SYSTEMD_COLORS are left alone: without a terminal no tool pages or colours anyway, and setting TERM=dumb
 * would make the script's world differ from the image's own boot. The wrapper's own files stay private
 * through a 0700 work directory rather than through the umask.
 *
 * Its exit code is reported at once (`done`). A failed script powers the builder off at once: nothing is
 * imaged, nothing needs cleaning. A script that succeeded hands over to a detached copy, which waits for
 * cloud-init to finish its final stage (and cloud-final.service to end: cloud-init writes its state until
 * its last moment, and cleaning inside the stage raced it — LP#1883903 left /var/lib/cloud/instance a
 * directory on cloud-init 19, breaking every instance launched from such an image) before cleaning and
 * powering off. A process the script left running with its output open is not waited for beyond 5 s.
 */
export const SCRIPT_MODE = String.raw`qx_unpack() {
  rm -rf "$QX_WORK" && mkdir -p -m 700 "$QX_WORK" && cat > "$QX_WORK/init-script" || return 1
  if [ "$QX_SCRIPT_EOL" = 0 ]; then
    qx_s=$(cat "$QX_WORK/init-script") && printf '%s' "$qx_s" > "$QX_WORK/init-script" || return 1
  fi
  chmod 700 "$QX_WORK/init-script"
}
qx_env() {
  qx_env=$(printf '%s' "$QX_ENV_B64" | qx_b64d)
  while IFS= read -r qx_line; do
    [ -n "$qx_line" ] || continue
    qx_value=$(printf '%s' "${'$'}{qx_line#*=}" | qx_b64d; printf x)
    export "${'$'}{qx_line%%=*}=${'$'}{qx_value%x}"
  done << QX_ENV_END
$qx_env
QX_ENV_END
  export HOME="${'$'}{HOME:-/root}" PAGER=cat GIT_PAGER=cat SYSTEMD_PAGER= AWS_PAGER=
}
qx_resolve() { :; }
qx_output() { qx_forward; }
qx_b64d() {
  if command -v base64 > /dev/null 2>&1; then tr -d ' \n' | base64 -d; else tr -d ' \n' | openssl base64 -d -A; fi
}
qx_run() {
  rm -f "$QX_WORK/output" "$QX_WORK/forwarded"
  mkfifo -m 600 "$QX_WORK/output" || return 125
  { qx_output < "$QX_WORK/output"; : > "$QX_WORK/forwarded"; } &
  qx_fwd=$!
  qx_first=
  IFS= read -r qx_first < "$QX_WORK/init-script" || true
  case "$qx_first" in
    '#!'*) (cd / && exec "$QX_WORK/init-script") < /dev/null > "$QX_WORK/output" 2>&1 ;;
    *) (cd / && exec /bin/sh "$QX_WORK/init-script") < /dev/null > "$QX_WORK/output" 2>&1 ;;
  esac
  qx_code=$?
  qx_i=0
  until [ -e "$QX_WORK/forwarded" ]; do
    if [ "$qx_i" -ge 50 ]; then
      qx_say "quadraxis: a process the script started still holds its output open; not waiting for it"
      return "$qx_code"
    fi
    sleep 0.1 2> /dev/null || sleep 1
    qx_i=$((qx_i + 1))
  done
  wait "$qx_fwd"
  return "$qx_code"
}
qx_succeeded() {
  qx_wait_cloud_init
  qx_clean
  qx_say "quadraxis: init script succeeded; powering off for imaging"
  qx_poweroff
}
qx_main() {
  if [ "$1" -ne 0 ]; then
    qx_say "quadraxis: could not unpack the init script into $QX_WORK"
    qx_code=125
  else
    qx_env
    qx_hook
    qx_say "$qx_tag begin"
    if qx_resolve; then
      qx_run
      qx_code=$?
    else
      qx_code=${UNRESOLVED_EXIT_CODE}
    fi
  fi
  rm -f "$QX_HOOK"
  qx_say "$qx_tag done exit=$qx_code warnings=0"
  if [ "$qx_code" -eq 0 ]; then
    qx_detach qx_succeeded
    exit 0
  fi
  qx_say "quadraxis: init script failed (exit $qx_code); powering off"
  qx_poweroff
  exit "$qx_code"
}
`;

/**
 * Cloud-init mode. The wrapper part runs inside cloud-init's final stage, so waiting there for cloud-init
 * would wait for itself: it detaches at once (cloud-final.service uses KillMode=process, so the copy
 * outlives the stage). The copy waits for cloud-init, then collects cloud-init's own list of what went
 * wrong: `status --format json` (recoverable_errors, from 23.4; Ubuntu and RHEL patch the exit code of a
 * degraded run back to 0, so the JSON decides, not the exit code), else — older cloud-init keeps no list —
 * the WARNING/DEPRECATED/ERROR lines cloud-init.log has from this boot on; with a schema complaint, the
 * errors of `cloud-init schema --system`, which name the offending keys (22.x prints them on the line
 * after "Error:", 23.x on the same line). They are printed as `warning`
 * markers before `done … warnings=<n>`; the engine decides what they mean for the bake. Python is
 * cloud-init's own interpreter (its shebang), so RHEL's platform-python is found too.
 */
export const CLOUD_INIT_MODE = String.raw`qx_warnings() {
  qx_count=0
  qx_py=$(sed -n '1s/^#![[:space:]]*\([^[:space:]]*\).*/\1/p' "$(command -v cloud-init)" 2> /dev/null)
  case "$qx_py" in */*python*) [ -x "$qx_py" ] ;; *) false ;; esac || qx_py=$(command -v python3) || return 0
  qx_list=$("$qx_py" - 2> /dev/null << 'QX_PY'
import json, os, re, subprocess as sp
def ci(*a):
    try:
        return sp.Popen(("cloud-init",) + a, stdout=sp.PIPE, stderr=sp.PIPE, universal_newlines=True).communicate()
    except Exception:
        return ("", "")
out = []
try:
    st = json.loads(ci("status", "--format", "json")[0])
except Exception:
    st = {}
st = st if isinstance(st, dict) else {}
out += [("ERROR", m) for m in st.get("errors") or []]
rec = st.get("recoverable_errors")
if isinstance(rec, dict):
    out += [(lv, m) for lv in sorted(rec) for m in rec[lv] or []]
    if not rec and str(st.get("extended_status", "")).startswith("degraded"):
        out.append(("WARNING", "cloud-init reports a degraded run but no list"))
else:
    try:
        log = open(os.environ.get("QX_ROOT", "") + "/var/log/cloud-init.log", errors="replace").read().splitlines()
    except Exception:
        log = []
    first = [i for i, l in enumerate(log) if "running 'init-local'" in l]
    cur = None
    for l in log[first[-1] if first else 0:]:
        m = re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ - [^\[]*\[(WARNING|DEPRECATED|ERROR|CRITICAL)\]: (.*)", l)
        if m:
            cur = [m.group(1), m.group(2)]
            out.append(cur)
        elif re.match(r"\d{4}-\d\d-\d\d ", l):
            cur = None
        elif cur:
            cur[1] += " " + l.strip()
if any("schema" in str(m) or "Invalid cloud-config" in str(m) for _, m in out):
    sl = [l.strip() for l in "\n".join(ci("schema", "--system")).splitlines()]
    for i, l in enumerate(sl):
        if l.startswith("Error:"):
            m = l[6:].strip() or (sl[i + 1] if i + 1 < len(sl) else "")
            if m:
                out.append(("SCHEMA", m))
for lv, m in out[:40]:
    print("%s: %s" % (lv, " ".join(str(m).split())[:500]))
if len(out) > 40:
    print("WARNING: %d more not shown" % (len(out) - 40))
QX_PY
)
  while IFS= read -r qx_w; do
    [ -n "$qx_w" ] || continue
    qx_say "$qx_tag warning $qx_w"
    qx_count=$((qx_count + 1))
  done << QX_W
$qx_list
QX_W
}
qx_main() {
  qx_hook
  qx_say "$qx_tag begin"
  qx_wait_cloud_init
  qx_code=$?
  rm -f "$QX_HOOK"
  qx_warnings
  if [ "$qx_code" -eq 2 ]; then
    qx_code=0
    if [ "$qx_count" -eq 0 ]; then
      qx_say "$qx_tag warning WARNING: cloud-init finished with recoverable errors; see cloud-init status --long"
      qx_count=1
    fi
  fi
  qx_say "$qx_tag done exit=$qx_code warnings=$qx_count"
  if [ "$qx_code" -eq 0 ]; then
    qx_clean
    qx_say "quadraxis: cloud-init finished; powering off for imaging"
  else
    qx_say "quadraxis: cloud-init failed (status $qx_code); powering off"
  fi
  qx_poweroff
}
qx_detach qx_main
exit 0
`;
