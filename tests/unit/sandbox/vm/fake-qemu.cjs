#!/usr/bin/env node
// A stand-in for qemu-system-x86_64 in unit tests of the VM mode's state machine: it parses the command
// line the Sandbox builds, connects to its QMP socket, speaks enough QMP, writes to the console file, and
// reads its instance's user data through the same guestfwd relay and metadata server a real guest uses.
// The user data is a JSON plan: { "poweroffAfterMs": n } powers off by itself, { "ignorePowerdown": true }
// ignores the ACPI button, { "failStart": true } exits before QMP. Nothing here emulates a machine.
'use strict';
const { spawn } = require('node:child_process');
const { appendFileSync } = require('node:fs');
const { connect } = require('node:net');

const args = process.argv.slice(2);
if (args.includes('--version')) {
  console.log('QEMU emulator version 0.0.0 (Quadraxis unit-test stand-in)');
  process.exit(0);
}
const values = (flag) => args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
const field = (spec, key) => new RegExp(`(?:^|,)${key}=((?:[^,]|,,)*)`).exec(spec)?.[1]?.replace(/,,/g, ',');
const chardevs = values('-chardev');
const consolePath = field(
  chardevs.find((c) => c.startsWith('file,')),
  'path',
);
const qmpPath = field(
  chardevs.find((c) => c.startsWith('socket,')),
  'path',
);
const netdev = values('-netdev')[0];
const imdsCmd = /guestfwd=tcp:169\.254\.169\.254:80-cmd:((?:[^,]|,,)*)/
  .exec(netdev)?.[1]
  ?.replace(/,,/g, ',');
const say = (line) => appendFileSync(consolePath, `${line}\r\n`);

function viaRelay(request) {
  const [program, ...rest] = imdsCmd.split(' ');
  return new Promise((resolve, reject) => {
    const relay = spawn(program, rest, { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    relay.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    relay.on('error', reject);
    relay.on('exit', () => resolve(out));
    relay.stdin.end(request);
  });
}

async function main() {
  const body = (response) => response.slice(response.indexOf('\r\n\r\n') + 4);
  const token = body(
    await viaRelay(
      'PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\nConnection: close\r\n\r\n',
    ),
  );
  const userData = body(
    await viaRelay(
      `GET /latest/user-data HTTP/1.1\r\nHost: 169.254.169.254\r\nX-aws-ec2-metadata-token: ${token}\r\nConnection: close\r\n\r\n`,
    ),
  );
  let plan = {};
  try {
    plan = JSON.parse(userData || '{}');
  } catch {
    plan = {};
  }
  if (plan.failStart) {
    process.stderr.write('fake-qemu: could not initialize the machine\n');
    process.exit(1);
  }

  const qmp = connect(qmpPath);
  const send = (message) => qmp.write(`${JSON.stringify(message)}\n`);
  const powerOff = () => {
    say('reboot: Power down');
    send({
      event: 'SHUTDOWN',
      data: { guest: true, reason: 'guest-shutdown' },
      timestamp: { seconds: 0, microseconds: 0 },
    });
    setTimeout(() => process.exit(0), 50);
  };
  qmp.on('connect', () => {
    send({ QMP: { version: { qemu: { major: 0, minor: 0, micro: 0 } }, capabilities: [] } });
    say(`fake boot: user data ${userData.length} bytes`);
    if (plan.poweroffAfterMs !== undefined) setTimeout(powerOff, plan.poweroffAfterMs);
  });
  let buffer = '';
  qmp.setEncoding('utf8').on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const { execute } = JSON.parse(line);
      send({ return: {} });
      if (execute === 'system_powerdown' && !plan.ignorePowerdown) setTimeout(powerOff, 50);
    }
  });
  qmp.on('close', () => process.exit(0));
  setInterval(() => undefined, 60_000);
}

void main();
