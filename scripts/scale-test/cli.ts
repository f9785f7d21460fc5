/**
 * `npm run scale:test`: makes the run's temp dir and throwaway certificate, then runs the test
 * (main.ts) as a child that trusts the certificate (NODE_EXTRA_CA_CERTS is read once, at a
 * process's start: the emulator's and the load's fetch then verify the load balancer's TLS).
 * The child leads its own process group, so whatever it started (PostgreSQL, HAProxy, the app
 * instances) is killed with the group once it ends, whatever state it ended in.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeCertificate } from './tls';

const work = mkdtempSync(path.join(tmpdir(), 'scale-test-'));
// PostgreSQL runs as its own OS user inside it: let it through, not read it.
chmodSync(work, 0o711);
const tls = path.join(work, 'tls');
mkdirSync(tls, { mode: 0o700 });
let cert;
try {
  cert = makeCertificate(tls);
} catch (err) {
  rmSync(work, { recursive: true, force: true });
  console.error((err as Error).message);
  process.exit(1);
}

const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'main.ts')], {
  detached: true,
  stdio: 'inherit',
  env: { ...process.env, NODE_EXTRA_CA_CERTS: cert.caPath, SCALE_WORK_DIR: work, SCALE_CERT_PEM: cert.pemPath },
});

const killGroup = (signal: NodeJS.Signals) => {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    /* the group is gone */
  }
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => killGroup(signal));
// Orphaned (the shell or npm above was killed without passing the signal on): stop the run too.
const parent = process.ppid;
const watchdog = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watchdog);
  killGroup('SIGTERM');
}, 1_000);
watchdog.unref();

child.once('exit', (code, signal) => {
  killGroup('SIGKILL');
  rmSync(work, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
