import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { curlCommand, postReceiveHook } from '../../../src/shared/webhook-snippets';

const run = promisify(execFile);

describe('hook snippets', () => {
  it('builds a curl line with the token, or with the variable when the token is not shown', () => {
    expect(curlCommand('http://127.0.0.1:8787/hooks/web', 'qxw_abc')).toBe(
      'curl -fsS -X POST -H "Authorization: Bearer qxw_abc" http://127.0.0.1:8787/hooks/web',
    );
    expect(curlCommand('http://127.0.0.1:8787/hooks/web')).toContain('Bearer $QUADRAXIS_WEBHOOK_TOKEN');
  });

  it('writes a post-receive hook that sh runs, posting each wanted branch and skipping the rest', async () => {
    const received: { auth?: string; body: string }[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (c: Buffer) => (body += c.toString()));
      request.on('end', () => {
        received.push({ auth: request.headers.authorization, body });
        response.writeHead(202).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dir = await mkdtemp(join(tmpdir(), 'qx-hook-'));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks/web`;
      const hook = join(dir, 'post-receive');
      await writeFile(hook, postReceiveHook(url, ['main', 'release/1']), { mode: 0o755 });
      const [zero, a, b] = ['0'.repeat(40), 'a'.repeat(40), 'b'.repeat(40)];
      const pushed = [
        `${zero} ${a} refs/heads/main`,
        `${zero} ${a} refs/heads/feature`,
        `${zero} ${b} refs/heads/release/1`,
        `${zero} ${a} refs/tags/v1`,
      ].join('\n');
      const child = run('sh', [hook], { env: { ...process.env, QUADRAXIS_WEBHOOK_TOKEN: 'qxw_tok' } });
      child.child.stdin?.end(`${pushed}\n`);
      await child;
      // Each names its commit, so running the hook again for the same push bakes nothing twice.
      expect(received.map((r) => JSON.parse(r.body) as unknown)).toEqual([
        { ref: 'refs/heads/main', after: a },
        { ref: 'refs/heads/release/1', after: b },
      ]);
      expect(received.every((r) => r.auth === 'Bearer qxw_tok')).toBe(true);
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
