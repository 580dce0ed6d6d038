import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import type { BaseImage } from '../../shared/project';
import { AppError } from '../../shared/result';
import {
  MAX_PROJECT_FILE_BYTES,
  exportProjectYaml,
  parseProjectText,
  writeAtomic,
} from '../../main/services/store';
import type { Store } from '../../main/services/store';
import { openStore } from '../open-store';
import type { CliIO } from '../program';
import { formatTable, formatTime } from '../table';
import type { RegisterCommand } from './index';

export const registerProjects: RegisterCommand = (program, io) => {
  const projects = program
    .command('projects')
    .description('list projects: name, region, base image, last bake')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { json?: boolean }, command: Command) => {
      await listProjects(openStore(command, io), io, opts.json === true);
    });

  projects
    .command('import')
    .description('add a project from a YAML or JSON file (validated; errors name the line)')
    .argument('<file>', 'project file (.yaml, .yml or .json)')
    .option('--force', 'replace a project of the same name')
    .action(async (file: string, opts: { force?: boolean }, command: Command) => {
      const store = openStore(command, io);
      const project = parseProjectText(await readProjectFile(file), { source: basename(file) });
      const existing = await store.projects.get(project.name);
      if (existing && !opts.force) {
        throw new AppError(
          'CONFLICT',
          `A project named "${project.name}" already exists; use --force to replace it.`,
        );
      }
      const entry = existing
        ? await store.projects.save(project, { revision: existing.revision })
        : await store.projects.create(project);
      io.stdout(`${existing ? 'Replaced' : 'Imported'} project ${entry.project.name} (${entry.file}).\n`);
    });

  projects
    .command('export')
    .description('print a project as YAML, or write it to a file')
    .argument('<name>', 'project name')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (name: string, opts: { out?: string }, command: Command) => {
      const entry = await openStore(command, io).projects.get(name);
      if (!entry) throw new AppError('NOT_FOUND', `No project named "${name}".`);
      const yaml = exportProjectYaml(entry.project);
      if (opts.out === undefined) return io.stdout(yaml);
      await writeAtomic(resolve(opts.out), yaml);
      io.stdout(`Exported project ${entry.project.name} to ${opts.out}.\n`);
    });
};

async function listProjects(store: Store, io: CliIO, json: boolean): Promise<void> {
  const entries = await store.projects.list();
  const rows = await Promise.all(
    entries.map(async (entry) => ({
      entry,
      last: (await store.bakes.list({ project: entry.project.name, limit: 1 }))[0],
    })),
  );
  if (json) {
    const out = rows.map(({ entry: { project, revision, file }, last }) => ({
      name: project.name,
      file,
      revision,
      region: project.region ?? null,
      baseImage: project.baseImage,
      instanceType: project.instanceType,
      lastBake: last
        ? {
            id: last.id,
            status: last.status,
            imageId: last.imageId ?? null,
            version: last.version ?? null,
            simulated: last.simulated,
            at: last.endedAt ?? last.createdAt,
          }
        : null,
    }));
    return io.stdout(`${JSON.stringify(out, null, 2)}\n`);
  }
  if (rows.length === 0) {
    return io.stdout(`No projects yet. Add one with: quadraxis projects import examples/nginx-al2023.yaml\n`);
  }
  io.stdout(
    formatTable(
      ['NAME', 'REGION', 'BASE IMAGE', 'LAST BAKE', 'AMI'],
      rows.map(({ entry: { project }, last }) => [
        project.name,
        project.region ?? '(profile default)',
        describeBaseImage(project.baseImage),
        last ? `${last.status} ${formatTime(last.endedAt ?? last.createdAt)}` : '-',
        last?.imageId ? `${last.imageId}${last.simulated ? ' (sandbox)' : ''}` : '-',
      ]),
    ),
  );
}

export function describeBaseImage(base: BaseImage): string {
  switch (base.kind) {
    case 'id':
      return base.imageId;
    case 'ssm':
      return `ssm:${base.parameter}`;
    case 'latest':
      return `newest ${base.namePattern} (${base.architecture}, ${base.owners.join(',')})`;
  }
}

async function readProjectFile(file: string): Promise<string> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new AppError('NOT_FOUND', `No such file: ${file}`);
  if (info.size > MAX_PROJECT_FILE_BYTES)
    throw new AppError('INVALID_INPUT', `${file} is over 2 MB; a project file is much smaller.`);
  return readFile(file, 'utf8');
}
