/**
 * A throwaway certificate authority and one server certificate it signs for
 * the given names, made with Debian's openssl (EC P-256): what the deployment
 * test puts where Let's Encrypt's certificate would be. Node trusts the CA
 * through `ca`; Chromium through --ignore-certificate-errors-spki-list with
 * the CA's key hash (an error is ignored when a certificate of the chain has
 * a listed key), not by ignoring every certificate error.
 */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  readonly caPem: string;
  /** base64(SHA-256(SubjectPublicKeyInfo)) of the CA: for --ignore-certificate-errors-spki-list. */
  readonly caSpkiSha256: string;
  /** The server's certificate followed by the CA's, as Let's Encrypt's fullchain.pem. */
  readonly fullchainPem: string;
  readonly privkeyPem: string;
}

export function makeTestCa(names: readonly string[]): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'chantier-ca-'));
  const f = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    openssl('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=Chantier test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    openssl('req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', `/CN=${names[0]}`);
    writeFileSync(f('ext.cnf'), `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
    openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial',
      '-out', f('server.pem'), '-days', '2', '-extfile', f('ext.cnf'));
    const caPem = readFileSync(f('ca.pem'), 'utf8');
    const spki = new X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'der' });
    return {
      caPem,
      caSpkiSha256: createHash('sha256').update(spki).digest('base64'),
      fullchainPem: readFileSync(f('server.pem'), 'utf8') + caPem,
      privkeyPem: readFileSync(f('server.key'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
