import { MASK, MASK_MIN_LENGTH, UNRESOLVED_EXIT_CODE } from '../../../protocol/env-references';

/**
 * The part of the wrapper that resolves environment references on the builder (issue 18), carried only by
 * projects that have references. It replaces SCRIPT_MODE's `qx_resolve` (a no-op) and `qx_output` (the
 * script's output, forwarded as is) with:
 *
 * - `qx_resolve`: decodes QX_REFS_B64 (names only, src/protocol/env-references.ts) and asks the helper for
 *   the values, exported into the wrapper's environment (the script inherits them) and nowhere else: they
 *   are held in shell variables, never written to a file. The helper is RESOLVER_PY under python3 — stdlib
 *   only, so any image with python3 has it — else the AWS CLI (which finds the instance profile and region
 *   itself; a JSON key needs python3). A failure prints `unresolved <NAME> <reason>: <words>` and the
 *   script does not run.
 * - `qx_output`: the script's output through an awk filter that replaces every value (each line of a
 *   multi-line value of 3 characters or more) with ****, longest first, before it reaches any console.
 *
 * The helper talks to the standard endpoints of the builder's region; AWS_ENDPOINT_URL_SSM and
 * AWS_ENDPOINT_URL_SECRETS_MANAGER (the AWS SDKs' and CLI's own variables) override them. For Sandbox
 * targets only, the head carries QX_AWS_ENDPOINT (src/protocol/sandbox-endpoint.ts), which `qx_endpoint`
 * turns into those two variables for the resolver alone — the user's script never sees them.
 */
export const RESOLVER_PY = String.raw`import base64, hashlib, hmac, json, os, sys, time
from urllib import error, parse, request


def sign(secret, date, region, service, text):
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def signed(method, url, headers, body, creds, region, service, amz):
    u = parse.urlsplit(url)
    h = dict((k.lower(), " ".join(str(v).split())) for k, v in headers.items())
    h["host"] = u.netloc
    h["x-amz-date"] = amz
    if creds.get("Token"):
        h["x-amz-security-token"] = creds["Token"]
    names = ";".join(sorted(h))
    query = "&".join(sorted("%s=%s" % (parse.quote(k, "-_.~"), parse.quote(v, "-_.~")) for k, v in parse.parse_qsl(u.query, True)))
    canonical = "\n".join([method, parse.quote(u.path or "/", "/-_.~"), query, "".join("%s:%s\n" % (k, h[k]) for k in sorted(h)), names, hashlib.sha256(body).hexdigest()])
    scope = "%s/%s/%s/aws4_request" % (amz[:8], region, service)
    text = "\n".join(["AWS4-HMAC-SHA256", amz, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    h["authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (creds["AccessKeyId"], scope, names, sign(creds["SecretAccessKey"], amz[:8], region, service, text))
    return h


class Unresolved(Exception):
    pass


def main(path):
    refs = [line.split("\t") for line in open(path).read().split("\n") if line]
    imds = os.environ.get("QX_IMDS", "http://169.254.169.254")

    def meta(p, token=None):
        h = {"X-aws-ec2-metadata-token": token} if token else {"X-aws-ec2-metadata-token-ttl-seconds": "300"}
        return request.urlopen(request.Request(imds + p, headers=h, method="GET" if token else "PUT"), timeout=10).read().decode()

    name = refs[0][0]
    try:
        try:
            token = meta("/latest/api/token")
            region = meta("/latest/meta-data/placement/region", token)
        except Exception as e:
            raise Unresolved("error", "instance metadata did not answer: %s" % e)
        try:
            role = meta("/latest/meta-data/iam/security-credentials/", token).split()[0]
            creds = json.loads(meta("/latest/meta-data/iam/security-credentials/" + role, token))
        except Exception:
            raise Unresolved("no-profile", "the builder has no instance profile: instance metadata has no role credentials")

        def call(service, var, target, body):
            url = os.environ.get("AWS_ENDPOINT_URL_" + var) or os.environ.get("AWS_ENDPOINT_URL") or "https://%s.%s.amazonaws.com" % (service, region)
            url = url.rstrip("/") + "/"
            data = json.dumps(body).encode()
            amz = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            h = signed("POST", url, {"content-type": "application/x-amz-json-1.1", "x-amz-target": target}, data, creds, region, service, amz)
            try:
                return json.loads(request.urlopen(request.Request(url, data=data, headers=h, method="POST"), timeout=30).read().decode())
            except error.HTTPError as e:
                try:
                    err = json.loads(e.read().decode())
                except Exception:
                    err = {}
                kind = str(err.get("__type", "HTTP %d" % e.code)).split("#")[-1]
                words = "%s: %s" % (kind, err.get("message") or err.get("Message") or e.reason)
                if "AccessDenied" in kind:
                    raise Unresolved("denied", words)
                if kind in ("ParameterNotFound", "ParameterVersionNotFound", "ResourceNotFoundException"):
                    raise Unresolved("not-found", words)
                raise Unresolved("error", words)
            except Unresolved:
                raise
            except Exception as e:
                raise Unresolved("error", "%s did not answer: %s" % (url, e))

        out = []
        for ref in refs:
            name, source, ident = ref[0], ref[1], ref[2]
            if source == "ssm":
                got = call("ssm", "SSM", "AmazonSSM.GetParameters", {"Names": [ident], "WithDecryption": True})
                if not got.get("Parameters"):
                    raise Unresolved("not-found", "ParameterNotFound: no parameter %s" % ident)
                value = got["Parameters"][0]["Value"]
            else:
                got = call("secretsmanager", "SECRETS_MANAGER", "secretsmanager.GetSecretValue", {"SecretId": ident})
                value = got.get("SecretString")
                if value is None:
                    value = base64.b64decode(got.get("SecretBinary", "")).decode("utf-8", "replace")
                if len(ref) > 3 and ref[3]:
                    try:
                        value = json.loads(value)[ref[3]]
                    except Exception:
                        raise Unresolved("not-found", "secret %s holds no JSON key %s" % (ident, ref[3]))
                    if not isinstance(value, str):
                        value = json.dumps(value)
            out.append("%s=%s" % (name, base64.b64encode(value.encode()).decode()))
        print("\n".join(out))
    except Unresolved as e:
        print("!%s %s: %s" % (name, e.args[0], " ".join(str(e.args[1]).split())[:500]))
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1])
`;

/** The shell that drives the helper (plain POSIX sh, like the rest of the wrapper). */
export const SECRETS_MODE = String.raw`qx_b64e() {
  if command -v base64 > /dev/null 2>&1; then base64 | tr -d '\n'; else openssl base64 -A; fi
}
qx_resolve_cli() {
  command -v aws > /dev/null 2>&1 || {
    echo "!$1 no-helper: neither python3 nor the AWS CLI is on the image; install one of them to resolve references"
    return 1
  }
  qx_rest="$2
"
  while [ -n "$qx_rest" ]; do
    qx_ref=${'$'}{qx_rest%%"$QX_NL"*}
    qx_rest=${'$'}{qx_rest#*"$QX_NL"}
    [ -n "$qx_ref" ] || continue
    qx_n=${'$'}{qx_ref%%"$QX_TAB"*}; qx_ref=${'$'}{qx_ref#*"$QX_TAB"}
    qx_s=${'$'}{qx_ref%%"$QX_TAB"*}; qx_ref=${'$'}{qx_ref#*"$QX_TAB"}
    qx_i=${'$'}{qx_ref%%"$QX_TAB"*}
    if [ "$qx_s" = ssm ]; then
      qx_v=$(aws ssm get-parameter --name "$qx_i" --with-decryption --query Parameter.Value --output text 2>&1)
    elif [ "$qx_i" != "$qx_ref" ]; then
      echo "!$qx_n no-helper: a Secrets Manager JSON key needs python3 on the image"
      return 1
    else
      qx_v=$(aws secretsmanager get-secret-value --secret-id "$qx_i" --query SecretString --output text 2>&1)
    fi
    if [ "$?" -ne 0 ]; then
      qx_v=$(printf '%s' "$qx_v" | tr '\n' ' ' | cut -c1-500)
      case "$qx_v" in
        *AccessDenied*) echo "!$qx_n denied: $qx_v" ;;
        *ParameterNotFound* | *ResourceNotFound*) echo "!$qx_n not-found: $qx_v" ;;
        *"Unable to locate credentials"*) echo "!$qx_n no-profile: the builder has no instance profile: $qx_v" ;;
        *) echo "!$qx_n error: $qx_v" ;;
      esac
      return 1
    fi
    echo "$qx_n=$(printf '%s' "$qx_v" | qx_b64e)"
  done
}
qx_endpoint() {
  if [ -n "${'$'}{QX_AWS_ENDPOINT:-}" ]; then
    AWS_ENDPOINT_URL_SSM="$QX_AWS_ENDPOINT" AWS_ENDPOINT_URL_SECRETS_MANAGER="$QX_AWS_ENDPOINT" "$@"
  else
    "$@"
  fi
}
qx_resolve() {
  QX_NL='
'
  QX_TAB=$(printf '\t')
  qx_refs=$(printf '%s' "$QX_REFS_B64" | qx_b64d)
  qx_rfirst=${'$'}{qx_refs%%"$QX_TAB"*}
  if command -v python3 > /dev/null 2>&1; then
    printf '%s' "$qx_refs" > "$QX_WORK/refs"
    qx_out=$(qx_endpoint python3 - "$QX_WORK/refs" 2> /dev/null << 'QX_RESOLVE'
${RESOLVER_PY}QX_RESOLVE
)
  else
    qx_out=$(qx_endpoint qx_resolve_cli "$qx_rfirst" "$qx_refs")
  fi
  qx_rc=$?
  rm -f "$QX_WORK/refs"
  QX_MASK=
  qx_rest="$qx_out
"
  while [ -n "$qx_rest" ]; do
    qx_line=${'$'}{qx_rest%%"$QX_NL"*}
    qx_rest=${'$'}{qx_rest#*"$QX_NL"}
    case "$qx_line" in
      '!'*) qx_say "$qx_tag unresolved ${'$'}{qx_line#!}" && return 1 ;;
      [A-Za-z_]*=*)
        qx_value=$(printf '%s' "${'$'}{qx_line#*=}" | qx_b64d; printf x)
        export "${'$'}{qx_line%%=*}=${'$'}{qx_value%x}"
        QX_MASK="$QX_MASK ${'$'}{qx_line%%=*}" ;;
    esac
  done
  if [ "$qx_rc" -ne 0 ] || [ -z "$QX_MASK" ]; then
    qx_say "$qx_tag unresolved $qx_rfirst error: the resolver failed (exit status $qx_rc)"
    return 1
  fi
}
qx_output() {
  if ! command -v awk > /dev/null 2>&1; then
    cat > /dev/null
    qx_say "quadraxis: the script's output is hidden: masking secrets in it needs awk"
    return
  fi
  QX_MASK="$QX_MASK" awk 'BEGIN { n = split(ENVIRON["QX_MASK"], ks, " "); c = 0
    for (i = 1; i <= n; i++) { m = split(ENVIRON[ks[i]], ps, "\n"); for (j = 1; j <= m; j++) if (length(ps[j]) >= ${MASK_MIN_LENGTH}) v[++c] = ps[j] }
    for (i = 2; i <= c; i++) for (j = i; j > 1 && length(v[j]) > length(v[j - 1]); j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t } }
  { l = $0; for (i = 1; i <= c; i++) { o = ""; while ((p = index(l, v[i])) > 0) { o = o substr(l, 1, p - 1) "${MASK}"; l = substr(l, p + length(v[i])) } l = o l } print l; fflush() }' | qx_forward
}
`;

export { UNRESOLVED_EXIT_CODE };
