import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * A flat apt repository with one package, built with dpkg-deb and served over HTTP on loopback, so a
 * `#cloud-config` with `packages:` installs something real without the internet. Guests reach it only
 * through the Sandbox's mirror proxy, under the host name the test allows.
 */
export async function localAptRepo(dir: string): Promise<{ origin: string; close(): Promise<void> }> {
  const pkg = join(dir, 'pkg');
  await mkdir(join(pkg, 'DEBIAN'), { recursive: true });
  await mkdir(join(pkg, 'usr', 'share', 'qx-hello'), { recursive: true });
  await writeFile(
    join(pkg, 'DEBIAN', 'control'),
    [
      'Package: qx-hello',
      'Version: 1.0',
      'Architecture: all',
      'Maintainer: Quadraxis tests <tests@quadraxis.invalid>',
      'Description: installed by a #cloud-config packages list in the real-VM tests',
      '',
    ].join('\n'),
  );
  await writeFile(join(pkg, 'usr', 'share', 'qx-hello', 'hello.txt'), 'hello from a local apt repository\n');
  const repo = join(dir, 'repo');
  await mkdir(repo, { recursive: true });
  const deb = join(repo, 'qx-hello_1.0_all.deb');
  await exec('dpkg-deb', ['--build', '--root-owner-group', pkg, deb]);
  const bytes = await readFile(deb);
  const packages = [
    'Package: qx-hello',
    'Version: 1.0',
    'Architecture: all',
    'Maintainer: Quadraxis tests <tests@quadraxis.invalid>',
    'Filename: ./qx-hello_1.0_all.deb',
    `Size: ${(await stat(deb)).size}`,
    `SHA256: ${sha256(bytes)}`,
    'Description: installed by a #cloud-config packages list in the real-VM tests',
    '',
  ].join('\n');
  await writeFile(join(repo, 'Packages'), packages);
  await writeFile(
    join(repo, 'Release'),
    [
      'Origin: quadraxis-tests',
      'SHA256:',
      ` ${sha256(Buffer.from(packages))} ${Buffer.byteLength(packages)} Packages`,
      '',
    ].join('\n'),
  );
  const server: Server = createServer((req, res) => {
    const name = (req.url ?? '/').replace(/^\/+/, '').replace(/^\.\//, '');
    if (!/^[A-Za-z0-9._-]+$/.test(name)) {
      res.writeHead(404).end();
      return;
    }
    readFile(join(repo, name)).then(
      (body) => res.writeHead(200, { 'content-length': String(body.length) }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
