import { createInterface } from 'node:readline/promises';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { createAwsClients, type AwsClients } from '../main/services/aws/clients';
import type { AskMfaCode } from '../main/services/aws/credentials';
import { discoverProfiles } from '../main/services/aws/profiles';
import { resolveTarget } from '../main/services/aws/target';
import { systemClock } from '../main/services/clock';
import { startSandbox, type SandboxHandle } from '../sandbox';
import type { ProfileList } from '../shared/aws';
import { AppError } from '../shared/result';
import type { CliIO } from './program';

export interface TargetFlags {
  profile?: string;
  region?: string;
  endpoint?: string;
}

/**
 * How every CLI command gets an MFA code: the one given with --mfa-code, else a prompt on the terminal
 * (stderr, so stdout stays clean for --json); without a terminal, a clear error instead of a hang.
 */
export function terminalMfa(mfaCode: string | undefined): AskMfaCode {
  return async (mfaSerial, profile) => {
    if (mfaCode) return mfaCode;
    if (!process.stdin.isTTY) {
      throw new AppError(
        'MFA_REQUIRED',
        `Profile "${profile}" needs an MFA code: pass --mfa-code, or run in a terminal.`,
        { reason: 'no-prompt', profile },
      );
    }
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await prompt.question(`MFA code for ${mfaSerial} (profile ${profile}): `);
    } finally {
      prompt.close();
    }
  };
}

/**
 * AWS access for one CLI command: targets resolved as in the app, MFA codes from --mfa-code or the terminal,
 * and an in-process sandbox (started on first use, closed with the session) for the `sandbox` profile.
 * Clients are kept per profile, region and endpoint, and credentials per profile, so a command that connects
 * several times (a bake, a sweep) assumes a role — and asks for an MFA code — once.
 */
export function cliAwsSession(io: CliIO, options: { mfaCode?: string }) {
  let sandbox: Promise<SandboxHandle> | undefined;
  let profileList: Promise<ProfileList> | undefined;
  const clients = new Map<string, Promise<AwsClients>>();
  const credentials = new Map<string, AwsCredentialIdentityProvider>();
  const askMfaCode = terminalMfa(options.mfaCode);
  const open = async (flags: TargetFlags, profiles?: ProfileList): Promise<AwsClients> => {
    const target = await resolveTarget({
      ...flags,
      env: io.env,
      clock: systemClock,
      askMfaCode,
      sandbox: () => (sandbox ??= startSandbox({ clock: systemClock })),
      profiles: profiles ?? (await (profileList ??= discoverProfiles({ env: io.env }))),
    });
    const shared = credentials.get(target.profile);
    if (!shared) credentials.set(target.profile, target.credentials);
    return createAwsClients(shared ? { ...target, credentials: shared } : target);
  };
  return {
    connect(flags: TargetFlags, profiles?: ProfileList): Promise<AwsClients> {
      const key = [flags.profile ?? '', flags.region ?? '', flags.endpoint ?? ''].join('\u0000');
      let opened = clients.get(key);
      if (!opened) {
        opened = open(flags, profiles);
        opened.catch(() => clients.delete(key));
        clients.set(key, opened);
      }
      return opened;
    },
    async close(): Promise<void> {
      const all = [...clients.values()];
      clients.clear();
      for (const result of await Promise.allSettled(all))
        if (result.status === 'fulfilled') result.value.destroy();
      if (sandbox)
        await sandbox.then(
          (handle) => handle.close(),
          () => undefined,
        );
    },
  };
}
