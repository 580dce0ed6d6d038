/**
 * A long, realistic provisioning script, generated the same way every time: functions, package lists,
 * config files in here-documents, users, checksums, loops and log lines, drawn from varied vocabularies,
 * as an ops team's init script grows over the years. It is what "the largest shell script that fits" is
 * measured with: random text would understate what fits, a repeated line would overstate it. Its gzip
 * ratio (about 3.5 around 48 KB) is near the less compressible end of real scripts (the shell scripts of
 * Debian's /usr/bin, /usr/sbin and /etc/init.d compress 3.1–5.1 times in 40–70 KB windows).
 */
const PACKAGES = [
  'nginx',
  'postgresql-client',
  'redis-tools',
  'jq',
  'curl',
  'unzip',
  'htop',
  'chrony',
  'amazon-cloudwatch-agent',
  'python3-pip',
  'git',
  'make',
  'gcc',
  'libssl-dev',
  'zlib1g-dev',
  'fail2ban',
  'auditd',
  'rsyslog',
  'logrotate',
  'nfs-common',
  'xfsprogs',
  'lvm2',
  'mdadm',
  'sysstat',
  'tcpdump',
  'strace',
  'lsof',
  'iotop',
  'dnsutils',
  'openjdk-17-jre-headless',
  'ca-certificates',
  'gnupg',
  'apt-transport-https',
  'software-properties-common',
];
const SERVICES = [
  'api',
  'worker',
  'scheduler',
  'gateway',
  'billing',
  'search',
  'ingest',
  'notifier',
  'exporter',
];
const WORDS = [
  'configure',
  'install',
  'prepare',
  'harden',
  'rotate',
  'mount',
  'tune',
  'enable',
  'verify',
  'fetch',
  'render',
  'register',
  'cleanup',
  'migrate',
  'warm',
  'check',
  'bootstrap',
  'sync',
  'pin',
  'limit',
  'restrict',
  'expose',
];
const NOUNS = [
  'kernel parameters',
  'log shipping',
  'disk layout',
  'swap',
  'time sync',
  'ssh daemon',
  'firewall rules',
  'package mirrors',
  'certificates',
  'service users',
  'metrics agent',
  'crash dumps',
  'core limits',
  'locale',
  'journald retention',
  'tmp cleanup',
  'audit rules',
  'DNS resolver',
  'proxy settings',
  'JVM options',
];
const USERS = ['deploy', 'svc-api', 'svc-worker', 'backup', 'monitor', 'ci-runner', 'release', 'oncall'];
/** For the prose in comments and messages: why a step is there, what broke once, what to watch out for. */
const PROSE = (
  'the because otherwise after before when this that only never always first again still until keep ' +
  'upgrade breaks restart fails slowly memory pressure leaks during peak traffic vendor changed default ' +
  'behaviour silently so we pin explicitly remove once upstream releases fix bug reported customers noticed ' +
  'latency spikes nightly batch overlapping backups disk filled logs weren’t rotated instance type change ' +
  'requires different driver module older kernels lack feature fallback path kept compatibility legacy ' +
  'clients still connect plaintext port deprecate next quarter security review asked tighten permissions ' +
  'audit found world readable secrets moved parameter store fetched runtime cache warmed avoid cold start ' +
  'penalty health check endpoint returns degraded until dependencies reachable retry budget exhausted ' +
  'alarm pages oncall engineer runbook section explains manual recovery steps rollback previous image'
).split(' ');
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ne',
  'ru',
  'ta',
  'vo',
  'zi',
  'pe',
  'qu',
  'sa',
  'do',
  'fi',
  'gu',
  'hy',
  'ex',
];

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function realisticShellScript(minBytes: number, seed = 20241111): string {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[int(0, 15)]).join('');
  const ident = () => Array.from({ length: int(2, 4) }, () => pick(SYLLABLES)).join('');
  // Names of hosts, products and people turn up in real prose too.
  const prose = (lo: number, hi: number) =>
    Array.from({ length: int(lo, hi) }, () => (random() < 0.4 ? ident() : pick(PROSE))).join(' ');
  const blocks: string[] = [
    '#!/bin/bash',
    '# Provisioning for the platform image. Owned by the infrastructure team; see the runbook before editing.',
    'set -euo pipefail',
    'export DEBIAN_FRONTEND=noninteractive',
    'log() { printf "%s [%s] %s\\n" "$(date -u +%FT%TZ)" "${STEP:-main}" "$*"; }',
    '',
  ];
  let n = 0;
  while (blocks.join('\n').length < minBytes) {
    n++;
    const service = pick(SERVICES);
    const verb = pick(WORDS);
    const noun = pick(NOUNS);
    const port = int(3000, 9900);
    const kind = int(0, 5);
    blocks.push(`# ${n}. ${verb} ${noun} for ${service} (ticket OPS-${int(1000, 9999)}): ${prose(6, 14)}`);
    blocks.push(`# ${prose(8, 18)}`);
    if (random() < 0.6) blocks.push(`# ${prose(6, 16)}`);
    const name = `${verb}_${noun.replace(/\W+/g, '_')}_${n}`;
    if (kind === 0) {
      const pkgs = Array.from({ length: int(2, 6) }, () => pick(PACKAGES));
      blocks.push(
        `${name}() {`,
        `  STEP=${service}-packages log "installing ${pkgs.length} packages"`,
        `  apt-get install -y --no-install-recommends ${[...new Set(pkgs)].join(' ')}`,
        `  dpkg -l | awk '/^ii/ {print $2}' > /var/log/${service}-packages-${n}.txt`,
        '}',
        name,
      );
    } else if (kind === 1) {
      blocks.push(
        `mkdir -p /etc/${service}/conf.d`,
        `cat > /etc/${service}/conf.d/${String(n).padStart(2, '0')}-${verb}.conf <<'CONF'`,
        `listen_port = ${port}`,
        `workers = ${int(2, 64)}`,
        `timeout_seconds = ${int(5, 300)}`,
        `upstream = "http://${ident()}-${pick(SERVICES)}.${ident()}.internal:${int(3000, 9900)}"`,
        `# ${prose(5, 12)}`,
        `cache_dir = "/var/cache/${service}/${ident()}"`,
        `max_body_size = "${int(1, 512)}m"`,
        `log_level = "${pick(['info', 'warn', 'debug', 'error'])}"`,
        'CONF',
      );
    } else if (kind === 2) {
      const user = pick(USERS);
      blocks.push(
        `if ! id -u ${user} >/dev/null 2>&1; then`,
        `  useradd --system --create-home --shell /usr/sbin/nologin --uid ${int(900, 999)} ${user}`,
        `  install -d -m 0750 -o ${user} -g ${user} /var/lib/${service}/${user}`,
        'fi',
        `echo '${user} ALL=(root) NOPASSWD: /usr/bin/systemctl restart ${service}-${n}' > /etc/sudoers.d/${user}-${n}`,
      );
    } else if (kind === 3) {
      const version = `${int(1, 9)}.${int(0, 30)}.${int(0, 20)}`;
      blocks.push(
        `VERSION_${n}=${version}`,
        `curl -fsSL -o /tmp/${service}-${version}.tar.gz "https://artifacts.example.com/${service}/${version}/${service}-linux-amd64.tar.gz"`,
        `echo "${hex(64)}  /tmp/${service}-${version}.tar.gz" | sha256sum -c -`,
        `tar -xzf /tmp/${service}-${version}.tar.gz -C /opt/${service} --strip-components=1`,
        `rm -f /tmp/${service}-${version}.tar.gz`,
      );
    } else if (kind === 4) {
      blocks.push(
        `cat > /etc/systemd/system/${service}-${n}.service <<UNIT`,
        '[Unit]',
        `Description=${service} ${noun} (${verb})`,
        'After=network-online.target',
        '',
        '[Service]',
        `ExecStart=/opt/${service}/bin/${service} --port ${port} --${verb}`,
        `User=${pick(USERS)}`,
        `LimitNOFILE=${int(1024, 1048576)}`,
        `Environment=GOMAXPROCS=${int(1, 16)} REGION=\${AWS_REGION:-eu-west-1}`,
        'Restart=on-failure',
        '',
        '[Install]',
        'WantedBy=multi-user.target',
        'UNIT',
        `systemctl enable ${service}-${n}.service`,
      );
    } else {
      blocks.push(
        `for key in ${Array.from({ length: int(2, 4) }, () => `net.ipv4.${pick(['tcp_fin_timeout', 'tcp_keepalive_time', 'ip_local_port_range', 'tcp_max_syn_backlog', 'tcp_tw_reuse'])}`).join(' ')}; do`,
        `  sysctl -w "$key=${int(10, 65000)}" || log "could not set $key"`,
        'done',
        `grep -q '${noun}' /etc/motd || echo "${service}: ${noun} ${verb}ed on $(hostname) at build ${hex(8)}" >> /etc/motd`,
        `log "${prose(4, 10)}"`,
      );
    }
    blocks.push('');
  }
  return `${blocks.join('\n')}\nlog "provisioning finished"\n`;
}
