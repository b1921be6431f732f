import { createPrivateKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type TestPki } from '../../check/tls-ca.js';
import { recordInputs, inputPaths } from '../../../../grammar/observed-fs.js';
import { cleanup, errorsAt, load } from './load-text.js';

let pki: TestPki;
const file = (name: string, data: Buffer | string): string => {
  const p = join(pki.dir, name);
  writeFileSync(p, data);
  return p;
};

beforeAll(() => {
  pki = makePki(['client', 'other']);
});
afterAll(() => {
  cleanup();
  pki.cleanup();
});

interface Block { password?: string; ca?: string; certificate?: string; key?: string }

/** the SSL block on lines 2-5 (one keyword a line, in this order), then an SSL_GET checker (or a TCP_CHECK) */
function conf(b: Block, checker = 'SSL_GET {\nurl {\npath /\nstatus_code 200\n}\n}'): string {
  const lines = (['password', 'ca', 'certificate', 'key'] as const).map((k) => (b[k] !== undefined ? `${k} ${b[k]}` : '# none'));
  return `SSL {\n${lines.join('\n')}\n}\nvirtual_server 10.0.0.1 443 {\nprotocol TCP\nlvs_sched rr\nlvs_method NAT\nreal_server 10.0.0.2 443 {\n${checker}\n}\n}\n`;
}

describe('the global SSL block, with an SSL_GET checker', () => {
  it('accepts a certificate, its key and a CA', () => {
    const c = pki.cert('client');
    expect(errorsAt(load(conf({ ca: join(pki.dir, 'ca.pem'), certificate: file('c.pem', c.cert), key: file('c.key', c.key) })))).toEqual([]);
  });

  it('names the keyword of a file that cannot be read', () => {
    const c = pki.cert('client');
    const missing = join(pki.dir, 'nowhere.pem');
    expect(errorsAt(load(conf({ ca: missing, certificate: missing, key: file('c.key', c.key) })))).toEqual([
      `4:1 SSL error: cannot read the certificate file ${missing} (ENOENT)`,
      `3:1 SSL error: cannot read the CA file ${missing} (ENOENT)`,
    ]);
  });

  it('finds an encrypted key the password does not open, or with no password', () => {
    const c = pki.cert('client');
    const enc = createPrivateKey(c.key).export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'right' });
    const cert = file('c.pem', c.cert), key = file('enc.key', enc);
    expect(errorsAt(load(conf({ password: 'right', certificate: cert, key })))).toEqual([]);
    expect(errorsAt(load(conf({ password: 'wrong', certificate: cert, key })))).toEqual([`2:1 SSL error: the password does not open the key file ${key}`]);
    expect(errorsAt(load(conf({ certificate: cert, key })))).toEqual([`5:1 SSL error: the key file ${key} is encrypted and the SSL block has no password`]);
  });

  it('finds a key of another certificate and files that are not PEM', () => {
    const cert = file('c.pem', pki.cert('client').cert), otherKey = file('o.key', pki.cert('other').key);
    expect(errorsAt(load(conf({ certificate: cert, key: otherKey })))).toEqual([`5:1 SSL error: the key file ${otherKey} is not the key of the certificate ${cert}`]);
    const junk = file('junk.pem', 'not a pem file\n');
    expect(errorsAt(load(conf({ ca: junk, certificate: junk, key: junk })))).toEqual([
      `4:1 SSL error: the certificate file ${junk} holds no PEM certificate`,
      `3:1 SSL error: the CA file ${junk} holds no PEM certificate`,
      `5:1 SSL error: the key file ${junk} holds no PEM private key`,
    ]);
  });

  it('reads the files as inputs of the load (a prepared reload reads them again at SIGHUP)', () => {
    const c = pki.cert('client');
    const cert = file('c.pem', c.cert), key = file('c.key', c.key);
    const { value, inputs } = recordInputs(() => load(conf({ certificate: cert, key })));
    expect(errorsAt(value)).toEqual([]);
    expect(inputPaths(inputs).map((i) => i.path)).toEqual(expect.arrayContaining([cert, key]));
  });

  it('looks at nothing when no SSL_GET checker uses the block (keepalived loads it only then)', () => {
    const missing = join(pki.dir, 'nowhere.pem');
    expect(errorsAt(load(conf({ password: 'x', ca: missing, certificate: missing, key: missing }, 'TCP_CHECK {\n}')))).toEqual([]);
  });
});
