import { execFile } from 'node:child_process';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A self-signed certificate for 127.0.0.1, made with the openssl command line (Debian's openssl). */
export async function makeCertificate(
  dir: string,
  name: string,
): Promise<{ certFile: string; keyFile: string }> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  const tempCert = `${certFile}.new`;
  const tempKey = `${keyFile}.new`;
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    tempKey,
    '-out',
    tempCert,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  // Renamed into place, as certbot does: a reader never sees half a file.
  await rename(tempKey, keyFile);
  await rename(tempCert, certFile);
  return { certFile, keyFile };
}
