// SSL_GET's client TLS contexts: one per SSL block (the same files give the same context),
// a new one when any file or the password differs, nothing kept when the key does not open.
import { createPrivateKey } from 'node:crypto';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientContext } from '../../../../src/check/http/tls-context.js';
import { makePki, type TestPki } from '../tls-ca.js';

let pki: TestPki;
beforeAll(() => {
  pki = makePki(['a.test', 'b.test']);
});
afterAll(() => pki.cleanup());

describe('clientContext', () => {
  it('the same SSL block files give the same context; no files, the one default context', () => {
    const { cert, key } = pki.cert('a.test');
    const files = { cert, key, ca: pki.ca };
    const c = clientContext(tls, files);
    expect(clientContext(tls, { ...files })).toBe(c); // another object, the same Buffers
    expect(clientContext(tls, undefined)).toBe(clientContext(tls, {}));
    expect(clientContext(tls, undefined)).not.toBe(c);
  });

  it('another certificate, CA or password with the same key is another context', () => {
    const a = pki.cert('a.test');
    const b = pki.cert('b.test');
    const first = clientContext(tls, { cert: a.cert, key: a.key });
    expect(clientContext(tls, { cert: a.cert, key: a.key, ca: pki.ca })).not.toBe(first);
    expect(clientContext(tls, { cert: b.cert, key: b.key })).not.toBe(first);
  });

  it('a wrong password throws every time and is not kept; the right one then works', () => {
    const { cert, key } = pki.cert('a.test');
    const locked = Buffer.from(createPrivateKey(key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' }));
    expect(() => clientContext(tls, { cert, key: locked, passphrase: 'wrong' })).toThrow(/bad decrypt/);
    expect(() => clientContext(tls, { cert, key: locked, passphrase: 'wrong' })).toThrow(/bad decrypt/);
    const ok = clientContext(tls, { cert, key: locked, passphrase: 'right' });
    expect(clientContext(tls, { cert, key: locked, passphrase: 'right' })).toBe(ok);
    expect(() => clientContext(tls, { cert, key: locked, passphrase: 'wrong' })).toThrow(/bad decrypt/);
  });
});
