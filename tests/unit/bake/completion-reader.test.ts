import { expect, test } from 'vitest';
import {
  beginMarker,
  cleanedMarker,
  CompletionReader,
  doneMarker,
  rebootedMarker,
  warningMarker,
} from '../../../src/protocol/markers';

const NONCE = 'feedfacefeedfacefeedfacefeedface';
const at = (text: string, s = 12.5) => `[${s.toFixed(6).padStart(12)}] cloud-init[1602]: ${text}`;

function read(lines: string[]): CompletionReader {
  const reader = new CompletionReader(NONCE);
  for (const line of lines) reader.push(line);
  return reader;
}

test('the last done marker wins: a script printing one of its own does not end the bake', () => {
  // The nonce is readable on the builder (instance metadata, cloud-init's copy of the user data).
  const reader = read([
    at(beginMarker(NONCE)),
    at('grep -r quadraxis /var/lib/cloud/instance/user-data.txt…'),
    at(doneMarker(NONCE, 0, 0)),
    at('…and carries on, then fails'),
    at(doneMarker(NONCE, 4, 0)),
  ]);
  expect(reader.exitCode).toBe(4);

  const forgedFailure = read([at(beginMarker(NONCE)), at(doneMarker(NONCE, 9)), at(doneMarker(NONCE, 0, 0))]);
  expect(forgedFailure.exitCode).toBe(0);
});

test('"cleaned" counts only after the last done marker; not-cleaned says what is left', () => {
  expect(read([at(beginMarker(NONCE)), at(cleanedMarker(NONCE)), at(doneMarker(NONCE, 0, 0))]).cleaned).toBe(
    false,
  );
  const ok = read([at(beginMarker(NONCE)), at(doneMarker(NONCE, 0, 0)), at(cleanedMarker(NONCE))]);
  expect(ok.cleaned).toBe(true);
  const left = read([
    at(beginMarker(NONCE)),
    at(doneMarker(NONCE, 0, 0)),
    at(`[quadraxis:${NONCE}] not-cleaned /var/lib/cloud/instances/i-1/obj.pkl`),
  ]);
  expect(left).toMatchObject({ cleaned: false, notCleaned: '/var/lib/cloud/instances/i-1/obj.pkl' });
});

test('warnings are cloud-init’s lines since the begin marker, with the count the done marker gives', () => {
  const reader = read([
    at(warningMarker(NONCE, 'WARNING', 'from an earlier run')),
    at(beginMarker(NONCE)),
    at(warningMarker(NONCE, 'DEPRECATED', 'Key apt_update is deprecated')),
    at(doneMarker(NONCE, 0, 1)),
  ]);
  expect(reader.warnings).toEqual([{ level: 'DEPRECATED', message: 'Key apt_update is deprecated' }]);
  expect(reader.warningCount).toBe(1);
  // Version 2 done markers carry no count.
  expect(read([at(doneMarker(NONCE, 0))]).warningCount).toBeUndefined();
});

test('a begin without done before a fresh boot is a reboot, with the lines that show it', () => {
  const reader = read([
    '[    0.000000] Linux version 6.1.0-26-cloud-amd64 (debian-kernel@lists.debian.org)',
    at("Cloud-init v. 22.4.2 running 'init-local' at Sat, 02 Nov 2024 09:00:00 +0000. Up 2.1 seconds.", 2),
    at(beginMarker(NONCE)),
    at('Setting up linux-image-6.1.0-27-cloud-amd64 ...'),
    at('rebooting into the new kernel'),
    '[   40.100000] systemd[1]: Stopping session-1.scope - Session 1 of User root...',
    '[  OK  ] Stopped target multi-user.target - Multi-User System.',
    '[   41.000000] reboot: Restarting system',
    '[    0.000000] Linux version 6.1.0-27-cloud-amd64 (debian-kernel@lists.debian.org)',
    at(rebootedMarker(NONCE), 14),
  ]);
  expect(reader.exitCode).toBeUndefined();
  expect(reader.reboot).toEqual([
    at(beginMarker(NONCE)),
    at('Setting up linux-image-6.1.0-27-cloud-amd64 ...'),
    at('rebooting into the new kernel'),
    '[   40.100000] systemd[1]: Stopping session-1.scope - Session 1 of User root...',
    '[   41.000000] reboot: Restarting system',
    '[    0.000000] Linux version 6.1.0-27-cloud-amd64 (debian-kernel@lists.debian.org)',
    at(rebootedMarker(NONCE), 14),
  ]);
  // The first boot's banner, before any begin, is no reboot; nor is a boot after the script ended.
  expect(
    read([
      '[    0.000000] Linux version 6.1',
      at(beginMarker(NONCE)),
      at(doneMarker(NONCE, 0, 0)),
      '[ 0.0] Linux version 6.1',
    ]).reboot,
  ).toBeUndefined();
});

test('the power-down line after the begin marker tells that a late console is complete', () => {
  const reader = read([at(beginMarker(NONCE)), at(doneMarker(NONCE, 0, 0))]);
  expect(reader.poweredDown).toBe(false);
  reader.push('[   30.000000] reboot: Power down');
  expect(reader.poweredDown).toBe(true);
  expect(reader.significant('[   30.000000] reboot: Power down')).toBe(true);
  expect(reader.significant(at('an ordinary line'))).toBe(false);
});

test('a real Debian 12 console (colours, its own shutdown lines): the evidence is the script’s last words', () => {
  // As QEMU's serial port showed it for `echo "about to reboot"; reboot` under cloud-init 22.4.2.
  const reader = read([
    `[quadraxis:${NONCE}] begin`,
    'about to reboot',
    '[\u001b[0;32m  OK  \u001b[0m] Removed slice \u001b[0;1;39msystem-modpr…lice\u001b[0m - Slice /system/modprobe.',
    '[\u001b[0;32m  OK  \u001b[0m] Stopped target \u001b[0;1;39mgraphical.target\u001b[0m - Graphical Interface.',
    'Cloud-init 22.4.2 received SIGTERM, exiting...',
    '[  117.676460] systemd-shutdown[1]: Rebooting.',
    '[  117.680261] reboot: Restarting system',
    '\u001bc\u001b[?7l\u001b[2J[    0.000000] Linux version 6.1.0-50-cloud-amd64 (debian-kernel@lists.debian.org)',
    "[   72.227726] cloud-init[239]: Cloud-init v. 22.4.2 running 'init-local' at Mon, 07 Dec 2026 13:21:05 +0000.",
    `[quadraxis:${NONCE}] rebooted`,
    '[  114.642920] reboot: Power down',
  ]);
  expect(reader.reboot?.slice(0, 4)).toEqual([
    `[quadraxis:${NONCE}] begin`,
    'about to reboot',
    '[\u001b[0;32m  OK  \u001b[0m] Removed slice \u001b[0;1;39msystem-modpr…lice\u001b[0m - Slice /system/modprobe.',
    '[  117.680261] reboot: Restarting system',
  ]);
  expect(reader.reboot?.at(-1)).toBe(`[quadraxis:${NONCE}] rebooted`);
  expect(reader.poweredDown).toBe(true);
});
