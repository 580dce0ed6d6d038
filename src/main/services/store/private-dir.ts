import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE, errnoCode } from './atomic';

/** What a data directory check did: how many entries lost group and other permissions, and what failed. */
export interface PrivateDirReport {
  fixed: number;
  failed: string[];
}

/**
 * Closes a data directory that others can read: an older Quadraxis made it 0755 with 0644 files holding
 * init scripts, environment values, consoles and records. The directory becomes 0700 and everything in it
 * loses its group and other bits (owner bits stay). That happens once: afterwards the directory itself is
 * 0700, which is all the next start looks at — one lstat.
 *
 * Symbolic links are never followed (Chromium keeps links into /tmp in the app's user data directory), and
 * nothing is done on Windows, where the profile directory's ACL already keeps other users out.
 */
export function closePrivateDir(
  root: string,
  platform: NodeJS.Platform = process.platform,
): PrivateDirReport {
  const report: PrivateDirReport = { fixed: 0, failed: [] };
  if (platform === 'win32') return report;
  let mode: number;
  try {
    const stat = lstatSync(root);
    if (!stat.isDirectory()) return report;
    mode = stat.mode;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return report;
    throw error;
  }
  if ((mode & 0o077) === 0) return report;
  const close = (path: string, current: number, wanted: number) => {
    if ((current & 0o7777) === wanted) return;
    try {
      chmodSync(path, wanted);
      report.fixed++;
    } catch (error) {
      report.failed.push(`${path}: ${errnoCode(error) ?? String(error)}`);
    }
  };
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (error) {
      report.failed.push(`${dir}: ${errnoCode(error) ?? String(error)}`);
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      let stat;
      try {
        stat = lstatSync(path);
      } catch {
        continue; // Gone meanwhile: another process removed it.
      }
      if (stat.isDirectory()) {
        close(path, stat.mode, (stat.mode & 0o700) | 0o700);
        walk(path);
      } else if (stat.isFile()) close(path, stat.mode, stat.mode & 0o700);
    }
  };
  // The directory first: from this moment nobody else can reach what is inside, however long the walk takes.
  close(root, mode, PRIVATE_DIR_MODE);
  walk(root);
  return report;
}
