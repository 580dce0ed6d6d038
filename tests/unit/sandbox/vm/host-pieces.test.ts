import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskStore } from '../../../../src/sandbox/vm/disk-store';
import { loadVmImage } from '../../../../src/sandbox/vm/image';
import { MirrorProxy } from '../../../../src/sandbox/vm/mirror-proxy';
import { relayCommand, writeRelay } from '../../../../src/sandbox/vm/relay';
import { Slots } from '../../../../src/sandbox/vm/slots';
import { Watchdog } from '../../../../src/sandbox/vm/watchdog';
import { fakeImageDir } from './fixture';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'qx-vm-unit-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('disk bookkeeping', () => {
  it('deletes a file once it is released and nothing is backed by it, never the base', async () => {
    const dir = await tempDir();
    const image = await fakeImageDir();
    cleanups.push(() => rm(image, { recursive: true, force: true }));
    const disks = new DiskStore(dir);
    const base = disks.external(join(image, 'disk.qcow2'), 'qcow2', 1);
    const builder = await disks.overlay(base, 'i-builder', 8);
    expect(builder.virtualGiB).toBe(8);
    const snapshot = await disks.snapshot(builder, 'snap-1');
    const relaunch = await disks.overlay(snapshot, 'i-relaunch', 1);
    expect(relaunch.virtualGiB).toBe(8);

    disks.release(builder);
    disks.release(snapshot);
    await disks.settled();
    expect(existsSync(builder.path)).toBe(false);
    // The relaunched instance still reads the snapshot through its backing chain.
    expect(existsSync(snapshot.path)).toBe(true);
    expect(disks.files().sort()).toEqual([relaunch.path, snapshot.path].sort());

    disks.release(relaunch);
    await disks.settled();
    expect(existsSync(relaunch.path)).toBe(false);
    expect(existsSync(snapshot.path)).toBe(false);
    expect(disks.files()).toEqual([]);
    disks.release(base);
    await disks.settled();
    expect(existsSync(base.path)).toBe(true);
  });
});

describe('VM slots', () => {
  it('grant in order up to the cap and drop a waiter whose signal aborts', async () => {
    const slots = new Slots(1);
    const first = await slots.acquire(new AbortController().signal);
    const cancelled = new AbortController();
    const order: string[] = [];
    const second = slots.acquire(cancelled.signal).then(
      () => order.push('second'),
      () => order.push('second cancelled'),
    );
    const third = slots.acquire(new AbortController().signal).then((release) => {
      order.push('third');
      return release;
    });
    expect(slots.queued).toBe(2);
    cancelled.abort(new Error('terminated'));
    await second;
    first();
    (await third)();
    expect(order).toEqual(['second cancelled', 'third']);
    expect(slots.busy).toBe(0);
  });
});

describe('the watchdog', () => {
  it('kills the process groups it watches and removes the work directory when its pipe closes', async () => {
    const dir = await tempDir();
    const work = join(dir, 'work');
    await mkdir(work);
    await writeFile(join(work, 'disk.qcow2'), 'x');
    const watchdog = Watchdog.start(work);
    const sleeper = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    await once(sleeper, 'spawn');
    const gone = once(sleeper, 'exit');
    watchdog.watch(sleeper.pid!);
    // What the kernel does to the pipe when the Sandbox is killed: its end closes, nothing more.
    await watchdog.close();
    await gone;
    expect(alive(sleeper.pid!)).toBe(false);
    expect(existsSync(work)).toBe(false);
  });

  it('leaves alone a group it was told to forget', async () => {
    const dir = await tempDir();
    const watchdog = Watchdog.start(join(dir, 'work'));
    const sleeper = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    await once(sleeper, 'spawn');
    cleanups.push(() => Promise.resolve(sleeper.kill('SIGKILL')));
    watchdog.watch(sleeper.pid!);
    watchdog.forget(sleeper.pid!);
    await watchdog.close();
    expect(alive(sleeper.pid!)).toBe(true);
  });
});

async function httpServer(
  handler: Parameters<typeof createServer>[1],
): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { server, port: (server.address() as AddressInfo).port };
}

function proxied(proxyPort: number, method: string, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: proxyPort, method, path: url, headers: { host: new URL(url).host } },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the mirror proxy', () => {
  it('forwards GET for allowed names to their origin and refuses other hosts, methods and tunnels', async () => {
    const { port } = await httpServer((req, res) => res.end(`mirror served ${req.url}`));
    const proxy = await MirrorProxy.start({ 'apt.quadraxis.test': `http://127.0.0.1:${port}` });
    cleanups.push(() => proxy.close());
    expect(await proxied(proxy.port, 'GET', 'http://apt.quadraxis.test/dists/Release')).toEqual({
      status: 200,
      body: 'mirror served /dists/Release',
    });
    expect((await proxied(proxy.port, 'GET', 'http://example.com/')).status).toBe(403);
    expect((await proxied(proxy.port, 'GET', 'http://apt.quadraxis.test:8080/')).status).toBe(403);
    expect((await proxied(proxy.port, 'POST', 'http://apt.quadraxis.test/')).status).toBe(405);
    const tunnel = await new Promise<number>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: proxy.port,
        method: 'CONNECT',
        path: 'deb.debian.org:443',
      });
      req.on('connect', (res, socket) => {
        socket.destroy();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end();
    });
    expect(tunnel).toBe(403);
    expect(proxy.refused).toHaveLength(4);
  });
});

describe('the guestfwd relay', () => {
  it('joins one connection (stdin/stdout) to a loopback port, as QEMU runs it', async () => {
    const dir = await tempDir();
    const { port } = await httpServer((req, res) => {
      res.setHeader('connection', 'close');
      res.end(`relayed ${req.method} ${req.url}`);
    });
    const [program, ...args] = relayCommand(await writeRelay(dir), port).split(' ');
    const relay = spawn(program!, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    relay.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    relay.stdin.end('GET /latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\nConnection: close\r\n\r\n');
    await once(relay, 'exit');
    expect(out).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(out).toMatch(/relayed GET \/latest\/meta-data\/$/);
  });
});

describe('VM images', () => {
  it('are read from an image directory, with its command line unless kernel arguments replace it', async () => {
    const dir = await fakeImageDir();
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const image = await loadVmImage(dir);
    expect(image).toMatchObject({
      name: 'debian-12-local-0123456789ab',
      volumeSizeGiB: 1,
      diskFormat: 'qcow2',
    });
    expect(image.boot).toMatchObject({ kind: 'kernel', cmdline: 'root=/dev/vda rw console=ttyS0' });
    const tty0 = await loadVmImage(dir, 'root=/dev/vda console=ttyS0 console=tty0');
    expect(tty0.boot).toMatchObject({ cmdline: 'root=/dev/vda console=ttyS0 console=tty0' });
  });

  it('can be a cloud disk image file, booted by its own bootloader', async () => {
    const dir = await fakeImageDir();
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const image = await loadVmImage(join(dir, 'disk.qcow2'));
    expect(image.name).toMatch(/^local-disk-[0-9a-f]{12}$/);
    expect(image.boot).toEqual({ kind: 'firmware' });
    await expect(loadVmImage(join(dir, 'disk.qcow2'), 'console=tty0')).rejects.toThrow(/own bootloader/);
  });

  it('are refused clearly when they cannot be booted', async () => {
    const dir = await tempDir();
    await expect(loadVmImage(join(dir, 'missing'))).rejects.toThrow(/does not exist/);
    await expect(loadVmImage(dir)).rejects.toThrow(/no image.json/);
    await writeFile(join(dir, 'image.json'), JSON.stringify({ format: 1, name: 'x' }));
    await expect(loadVmImage(dir)).rejects.toThrow(/not a VM image manifest/);
    const image = await fakeImageDir();
    cleanups.push(() => rm(image, { recursive: true, force: true }));
    await rm(join(image, 'initrd.img'));
    await expect(loadVmImage(image)).rejects.toThrow(/initrd.img, which is missing/);
  });
});
