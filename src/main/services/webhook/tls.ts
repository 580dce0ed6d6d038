import { readFile, stat } from 'node:fs/promises';
import type { Server as HttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import { AppError } from '../../../shared/result';
import type { Logger } from '../logger';

/** PEM files: the certificate (with its chain) and its private key. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

/** Both files, read and tried together, so a wrong path or a key of another certificate is said plainly. */
export async function readTls(files: TlsFiles): Promise<TlsMaterial> {
  const read = (file: string, what: string) =>
    readFile(file).catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(error);
      throw new AppError('INVALID_INPUT', `Cannot read the TLS ${what} ${file}: ${why}.`);
    });
  const cert = await read(files.certFile, 'certificate');
  const key = await read(files.keyFile, 'private key');
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new AppError(
      'INVALID_INPUT',
      `The TLS certificate ${files.certFile} and key ${files.keyFile} cannot be used: ${why}.`,
    );
  }
  return { cert, key };
}

/**
 * Certificates are renewed in place (certbot, cert-manager): when either file changes, the listener takes
 * the new pair for new connections. A pair that does not load is logged and the old one kept.
 */
export function reloadTlsOnChange(
  server: HttpsServer,
  files: TlsFiles,
  everyMs: number,
  logger: Logger,
): () => void {
  const version = async () => {
    const [cert, key] = await Promise.all([stat(files.certFile), stat(files.keyFile)]);
    return `${cert.mtimeMs}:${cert.size}:${cert.ino} ${key.mtimeMs}:${key.size}:${key.ino}`;
  };
  let seen: Promise<string | undefined> = version().catch(() => undefined);
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    void (async () => {
      const before = await seen;
      const now = await version().catch(() => before);
      if (now === before) return;
      seen = Promise.resolve(now);
      try {
        server.setSecureContext(await readTls(files));
        logger.info('webhook TLS certificate reloaded', { certFile: files.certFile });
      } catch (error) {
        logger.warn('webhook TLS certificate not reloaded; the previous one stays in use', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    })().finally(() => (checking = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
