import { join, relative, sep } from 'node:path';

/**
 * Where everything lives under the data directory. One file per thing, so two processes writing different
 * things never touch the same file, and nothing that grows with history is ever rewritten whole.
 */
export interface StorePaths {
  root: string;
  projectsDir: string;
  projectFile(name: string): string;
  /** Who saved each project last (revision, actor, pid): lets a conflict name the other writer. */
  projectMetaFile(name: string): string;
  projectLock(name: string): string;
  versionsDir(project: string): string;
  /** Beside, not inside, the versions directory, so deleting or renaming that directory never races its lock. */
  versionsLock(project: string): string;
  bakesDir: string;
  bakeDir(bakeId: string): string;
  journalFile(bakeId: string): string;
  recordFile(bakeId: string): string;
  consoleFile(bakeId: string): string;
  ownerFile(bakeId: string): string;
  /** What the bake was started with (project snapshot, profile, …), so recovery can resume it. */
  inputsFile(bakeId: string): string;
  /** Zero-byte markers `<project>/<bakeId>`: listing a project's bakes reads one directory, not every record. */
  projectBakesRoot: string;
  projectBakesDir(project: string): string;
  /** Zero-byte markers of bakes not yet final: crash recovery looks at these only, never at all history. */
  activeBakesDir: string;
  draftsDir: string;
  draftFile(project: string): string;
  quarantineDir: string;
  /** `projects/web.yaml`, with forward slashes, for messages. */
  display(path: string): string;
}

export function storePaths(root: string): StorePaths {
  const projectsDir = join(root, 'projects');
  const bakesDir = join(root, 'bakes');
  const indexDir = join(root, 'index');
  const draftsDir = join(root, 'drafts');
  return {
    root,
    projectsDir,
    projectFile: (name) => join(projectsDir, `${name}.yaml`),
    projectMetaFile: (name) => join(projectsDir, '.meta', `${name}.json`),
    projectLock: (name) => join(projectsDir, '.meta', `${name.toLowerCase()}.lock`),
    versionsDir: (project) => join(root, 'versions', project),
    versionsLock: (project) => join(root, 'versions', `${project.toLowerCase()}.lock`),
    bakesDir,
    bakeDir: (id) => join(bakesDir, id),
    journalFile: (id) => join(bakesDir, id, 'events.jsonl'),
    recordFile: (id) => join(bakesDir, id, 'record.json'),
    consoleFile: (id) => join(bakesDir, id, 'console.log'),
    ownerFile: (id) => join(bakesDir, id, 'owner.json'),
    inputsFile: (id) => join(bakesDir, id, 'inputs.json'),
    projectBakesRoot: join(indexDir, 'project-bakes'),
    projectBakesDir: (project) => join(indexDir, 'project-bakes', project),
    activeBakesDir: join(indexDir, 'active-bakes'),
    draftsDir,
    draftFile: (project) => join(draftsDir, `${project}.json`),
    quarantineDir: join(root, 'quarantine'),
    display: (path) => relative(root, path).split(sep).join('/'),
  };
}
