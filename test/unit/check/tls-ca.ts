// A throwaway CA and server certificates made with the openssl CLI.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  ca: Buffer;
  cert(name: string): { key: Buffer; cert: Buffer };
  cleanup(): void;
}

export function makePki(names: string[]): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-pki-'));
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=lvsd test CA');
  for (const n of names) {
    ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${n}.key`, '-out', `${n}.csr`, '-subj', `/CN=${n}`);
    ossl('x509', '-req', '-in', `${n}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${n}.pem`, '-days', '2');
  }
  return {
    dir,
    ca: readFileSync(join(dir, 'ca.pem')),
    cert: (n) => ({ key: readFileSync(join(dir, `${n}.key`)), cert: readFileSync(join(dir, `${n}.pem`)) }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
