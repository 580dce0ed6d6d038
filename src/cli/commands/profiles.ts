import { getCallerIdentity } from '../../main/services/aws/identity';
import { discoverProfiles } from '../../main/services/aws/profiles';
import type { AwsProfile, CallerIdentity, ProfileList } from '../../shared/aws';
import { AppError, type AppErrorPayload } from '../../shared/result';
import type { CliIO } from '../program';
import { cliAwsSession } from '../aws-session';
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
