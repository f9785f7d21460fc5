import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A throwaway certificate for the load balancer, made by openssl at run time: a one-day CA and a
 * leaf for 127.0.0.1/localhost signed by it. Clients trust the CA (NODE_EXTRA_CA_CERTS), HAProxy
 * serves the leaf. The private keys stay in the run's temp dir and go with it.
 */
export interface Certificate {
  /** The CA certificate clients trust. */
  caPath: string;
  /** Leaf certificate, then its key: what HAProxy's `crt` reads. */
  pemPath: string;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr || r.error?.message}`);
}

export function makeCertificate(dir: string): Certificate {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=scale-test CA', '-keyout', 'ca.key', '-out', 'ca.pem'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'lb.key', '-out', 'lb.csr'], dir);
  writeFileSync(path.join(dir, 'lb.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', 'lb.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'lb.ext', '-out', 'lb.crt'], dir);
  const pemPath = path.join(dir, 'lb.pem');
  writeFileSync(pemPath, readFileSync(path.join(dir, 'lb.crt'), 'utf8') + readFileSync(path.join(dir, 'lb.key'), 'utf8'), { mode: 0o600 });
  return { caPath: path.join(dir, 'ca.pem'), pemPath };
}
