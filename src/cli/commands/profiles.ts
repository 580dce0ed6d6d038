import { createInterface } from 'node:readline/promises';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { createAwsClients, type AwsClients } from '../../main/services/aws/clients';
import type { AskMfaCode } from '../../main/services/aws/credentials';
import { getCallerIdentity } from '../../main/services/aws/identity';
import { discoverProfiles } from '../../main/services/aws/profiles';
import { resolveTarget } from '../../main/services/aws/target';
import { systemClock } from '../../main/services/clock';
import { startSandbox, type SandboxHandle } from '../../sandbox';
import type { AwsProfile, CallerIdentity, ProfileList } from '../../shared/aws';
import { AppError, type AppErrorPayload } from '../../shared/result';
import type { CliIO } from '../program';
import { formatTable } from '../table';
import type { RegisterCommand } from './index';

export const registerProfiles: RegisterCommand = (program, io) => {
  program
    .command('profiles')
    .description('list AWS profiles as the AWS CLI sees them: kind, region, role/SSO details, problems')
    .option('--json', 'print JSON instead of a table')
    .option('--resolve', 'also ask STS who each usable profile is (may prompt for MFA codes)')
    .option('--mfa-code <code>', 'MFA code for profiles that need one (otherwise asked on the terminal)')
    .action(async (flags: { json?: boolean; resolve?: boolean; mfaCode?: string }) => {
      const list = await discoverProfiles({ env: io.env });
      const identities = flags.resolve ? await resolveAll(io, list, flags.mfaCode) : undefined;
      if (flags.json) {
        const profiles = list.profiles.map((p) => ({ ...p, ...identities?.get(p.name) }));
        return io.stdout(`${JSON.stringify({ ...list, profiles }, null, 2)}\n`);
      }
      printProfiles(io, list, identities);
    });
};

type Resolution = { identity: CallerIdentity } | { error: AppErrorPayload };

async function resolveAll(io: CliIO, list: ProfileList, mfaCode?: string): Promise<Map<string, Resolution>> {
  const session = cliAwsSession(io, { ...(mfaCode ? { mfaCode } : {}) });
  const out = new Map<string, Resolution>();
  try {
    // One at a time: MFA prompts must not interleave on the terminal.
    for (const profile of list.profiles.filter((p) => p.usable)) {
      try {
        const clients = await session.connect(
          { profile: profile.name, ...(profile.region ? {} : { region: 'us-east-1' }) },
          list,
        );
        out.set(profile.name, { identity: await getCallerIdentity(clients) });
      } catch (error) {
        out.set(profile.name, { error: asPayload(error) });
      }
    }
  } finally {
    await session.close();
  }
  return out;
}

function printProfiles(io: CliIO, list: ProfileList, identities?: Map<string, Resolution>): void {
  const headers = ['', 'NAME', 'KIND', 'REGION', 'DETAILS', ...(identities ? ['IDENTITY'] : [])];
  const rows = list.profiles.map((p) => {
    const resolved = identities?.get(p.name);
    const identity = !resolved
      ? '-'
      : 'identity' in resolved
        ? resolved.identity.arn
        : `error: ${resolved.error.message}`;
    return [
      p.current ? '*' : '',
      p.name,
      p.kind,
      p.region ?? '-',
      details(p),
      ...(identities ? [identity] : []),
    ];
  });
  io.stdout(formatTable(headers, rows));
  const problems = [
    ...list.problems.map((p) => `${p.file ? `${p.file}${p.line ? `:${p.line}` : ''}: ` : ''}${p.message}`),
    ...list.profiles.flatMap((p) => p.problems.map((message) => `profile ${p.name}: ${message}`)),
  ];
  if (problems.length > 0) io.stdout(`\nProblems:\n${problems.map((p) => `  ${p}\n`).join('')}`);
}

function details(p: AwsProfile): string {
  const parts: string[] = [];
  if (p.kind === 'keys') parts.push(`keys in ${p.definedIn.join(' + ')}`);
  if (p.roleArn) parts.push(`${p.roleArn} via ${p.sourceProfile ?? p.credentialSource ?? '?'}`);
  if (p.mfaSerial) parts.push('MFA');
  if (p.sso)
    parts.push(
      `SSO ${p.sso.accountId ?? '?'}/${p.sso.roleName ?? '?'}${p.sso.session ? ` (${p.sso.session})` : ''}`,
    );
  if (p.credentialProcess) parts.push(`credential_process ${p.credentialProcess}`);
  if (p.kind === 'sandbox') parts.push(p.label);
  if (p.kind === 'environment') parts.push('AWS_ACCESS_KEY_ID');
  const endpoint = p.endpoints.ec2 ?? p.endpoints.sts;
  if (endpoint) parts.push(`endpoint ${endpoint}`);
  return parts.join(', ') || '-';
}

function asPayload(error: unknown): AppErrorPayload {
  return error instanceof AppError
    ? error.toPayload()
    : { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

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
