// What tests' own TLS peers (slapd, the SMTP server) share: a throwaway CA that signs a server
// certificate for 127.0.0.1 and localhost, made with openssl (EC keys: instant), and a free port.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeCa(dir: string, name: string, subject: string): Promise<unknown> {
  const at = (file: string) => path.join(dir, file);
  return run('openssl', [
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    at(`${name}.key`),
    '-out',
    at(`${name}.pem`),
    '-days',
    '2',
    '-subj',
    subject,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

/**
 * Writes `ca.pem`/`ca.key` (a CA named `caSubject`), `server.pem`/`server.key` (127.0.0.1 and
 * localhost, signed by it) and, for each of `otherCas`, `<name>.pem`/`<name>.key` (CAs that signed
 * nothing, to be trusted wrongly) into `dir`.
 */
export async function makeTestCertificates(
  dir: string,
  caSubject: string,
  otherCas: readonly { name: string; subject: string }[] = [],
): Promise<void> {
  const at = (file: string) => path.join(dir, file);
  await Promise.all([
    makeCa(dir, 'ca', caSubject),
    ...otherCas.map((ca) => makeCa(dir, ca.name, ca.subject)),
    run('openssl', [
      'req',
      '-new',
      ...EC_KEY,
      '-keyout',
      at('server.key'),
      '-out',
      at('server.csr'),
      '-subj',
      '/CN=localhost',
    ]),
  ]);
  await writeFile(
    at('server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' +
      'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.pem'),
    '-CAkey',
    at('ca.key'),
    '-set_serial',
    String(Date.now()),
    '-days',
    '2',
    '-extfile',
    at('server.ext'),
    '-out',
    at('server.pem'),
  ]);
}

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
