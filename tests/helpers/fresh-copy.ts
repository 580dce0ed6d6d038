import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from './paths';

/**
 * The repository as a fresh clone followed by `npm ci` leaves it: the files git knows (tracked, or new and
 * not ignored — so uncommitted work is tested too), no out/, and node_modules as installed — with the
 * electron package exactly as npm unpacks it, without the binary (dist/) or path.txt its first use adds.
 * Every other package is a symlink into this checkout's node_modules: the same bytes `npm ci` would put
 * there, without minutes of copying. Nothing run in the copy writes to this checkout.
 */
export function freshCopy(): string {
  const copy = mkdtempSync(join(tmpdir(), 'qx-fresh-'));
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  for (const file of listed.split('\0').filter(Boolean)) {
    const from = join(ROOT, file);
    // Deleted in the work tree but still in the index: a clone of this work would not have it.
    if (!existsSync(from)) continue;
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    copyFileSync(from, join(copy, file));
    chmodSync(join(copy, file), statSync(from).mode);
  }
  const modules = join(copy, 'node_modules');
  mkdirSync(modules);
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    // Caches belong to a checkout; electron is copied below as npm installs it.
    if (name === 'electron' || name.startsWith('.')) continue;
    symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
  }
  copyElectronPackage(join(ROOT, 'node_modules', 'electron'), join(modules, 'electron'));
  return copy;
}

/** The files npm unpacks for the electron package: its "files" list and package.json, nothing its use adds. */
function copyElectronPackage(from: string, to: string): void {
  const pkg = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as { files: string[] };
  mkdirSync(to);
  for (const file of ['package.json', ...pkg.files]) {
    if (existsSync(join(from, file))) copyFileSync(join(from, file), join(to, file));
  }
  // Its own nested dependencies (npm puts them there when versions clash with the top level).
  if (existsSync(join(from, 'node_modules')))
    symlinkSync(join(from, 'node_modules'), join(to, 'node_modules'));
}
